/** Reads Prometheus text exposition: `name{label="v",…}` → value, for the metrics tests. */
export type Samples = Map<string, number>;

export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The value of one series; labels in any order. 0 when the series is absent. */
export function sample(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels);
  let total: number | undefined;
  for (const [key, value] of samples) {
    const brace = key.indexOf('{');
    const metric = brace === -1 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    const have = new Map([...(brace === -1 ? '' : key.slice(brace + 1, -1)).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (want.length !== have.size || !want.every(([k, v]) => have.get(k) === v)) continue;
    total = (total ?? 0) + value;
  }
  return total ?? 0;
}

export async function scrape(url: string): Promise<Samples> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  return parseMetrics(await res.text());
}
