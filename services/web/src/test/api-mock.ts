// A fetch stub that answers like the gateway: register handlers per "METHOD /path" and inspect
// the requests the app made.
import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export interface MockResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A fixed answer, or one computed per request; a promise holds the answer back until it settles. */
type Handler = MockResponse | ((request: RecordedRequest) => MockResponse | Promise<MockResponse>);

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): MockResponse {
  return {
    status,
    body: { type: "about:blank", title: `HTTP ${status}`, status, detail, ...extra },
    headers: { "content-type": "application/problem+json" },
  };
}

export class ApiMock {
  readonly requests: RecordedRequest[] = [];
  private handlers = new Map<string, Handler[]>();

  /** Answer "METHOD /path" (path without query); several calls queue answers, the last repeats. */
  on(route: string, ...handlers: Handler[]): this {
    this.handlers.set(route, [...(this.handlers.get(route) ?? []), ...handlers]);
    return this;
  }

  calls(route: string): RecordedRequest[] {
    const [method, path] = route.split(" ");
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  install(): this {
    vi.stubGlobal("fetch", vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => this.handle(input, init)));
    return this;
  }

  private async handle(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    // The app's client sends a Request; a test may call fetch with a URL and options.
    const sent = input instanceof Request ? input : new Request(new URL(input instanceof URL ? input.href : input, "http://app.test"), init);
    const url = new URL(sent.url);
    const method = sent.method.toUpperCase();
    const text = await sent.text();
    let body: unknown = undefined;
    if (text && (sent.headers.get("content-type") ?? "").includes("x-www-form-urlencoded")) body = Object.fromEntries(new URLSearchParams(text));
    else if (text) body = JSON.parse(text);
    const request: RecordedRequest = { method, path: url.pathname, search: url.searchParams, headers: sent.headers, body };
    this.requests.push(request);
    const key = `${method} ${url.pathname}`;
    const queue = this.handlers.get(key);
    if (!queue || queue.length === 0) {
      return new Response(JSON.stringify({ title: "Not Found", status: 404, detail: `no mock for ${key}` }), {
        status: 404,
        headers: { "content-type": "application/problem+json" },
      });
    }
    const handler = queue.length > 1 ? queue.shift() : queue[0];
    const answer = typeof handler === "function" ? await handler(request) : (handler ?? {});
    const status = answer.status ?? 200;
    await Promise.resolve();
    return new Response(status === 204 ? null : JSON.stringify(answer.body ?? null), {
      status,
      headers: { "content-type": "application/json", ...answer.headers },
    });
  }
}
