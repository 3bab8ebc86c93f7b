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
    const width = Math.max(320, box.current.clientWidth);
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
