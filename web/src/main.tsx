import { render } from 'preact';
import { App } from './components/App.js';
import './style.css';

render(<App />, document.getElementById('app')!);
