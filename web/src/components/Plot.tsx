/** A uPlot chart in a Preact component: made once, fed new data on each render. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function Plot({
  options,
  data,
  testId,
}: {
  options: Omit<uPlot.Options, 'width'>;
  data: uPlot.AlignedData;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  useEffect(() => {
    if (box.current === null) return undefined;
    // clientWidth counts the box's padding (8 px each side), which the canvas must leave free.
    const width = Math.max(320, box.current.clientWidth - 16);
    chart.current = new uPlot({ ...options, width } as uPlot.Options, data, box.current);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);
  return <div class="plot" ref={box} data-testid={testId} />;
}
