/**
 * uPlot in a preact component: the plot is made once per `shape` (its series), then only fed new
 * data (uPlot redraws in place, keeping the cursor and zoom), and follows its container's width.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UPlotChartProps {
  /** Everything but the size, which comes from the container. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  /** Changes when the series change: the plot is made again then. */
  shape: string;
  testId?: string;
  /** The box's class (its size and the legend's look); default `uplot-box`. */
  class?: string;
}

export function UPlotChart({ options, data, height, shape, testId, class: cls = 'uplot-box' }: UPlotChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ options, data });
  latest.current = { options, data };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = (): number => Math.max(240, Math.floor(el.clientWidth));
    const made = new uPlot({ ...latest.current.options, width: width(), height }, latest.current.data, el);
    plot.current = made;
    const resized = new ResizeObserver(() => made.setSize({ width: width(), height }));
    resized.observe(el);
    return () => {
      resized.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={box} class={cls} data-testid={testId} />;
}
