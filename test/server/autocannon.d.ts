/** The part of autocannon's API the load test uses (the package ships no types). */
declare module 'autocannon' {
  interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  interface Options {
    url: string; connections?: number; duration?: number; amount?: number; timeout?: number; pipelining?: number;
    method?: string; headers?: Record<string, string>; body?: string; requests?: Request[];
  }
  interface Histogram { average: number; p99: number; max: number; total: number }
  interface Result {
    requests: Histogram & { sent: number }; latency: Histogram; errors: number; timeouts: number; non2xx: number;
    '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
