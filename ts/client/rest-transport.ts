import { HttpExchange, type HttpReply } from './http-exchange';
import type { NamedTensor } from './input-generator';
import { modelSpecOf, type ModelSpec, type TensorSpec } from './model-spec';
import { RequestError } from './request-error';
import { decodeRestAnswer, encodeRestRequest, errorMessageOfReply, type RestEncoding } from './rest-encodings';
import type { InferTransport, PreparedCall } from './transport';

/** Options of the REST transport. */
export interface RestTransportOptions {
  /** Server base URL, e.g. http://localhost:8080. */
  url: string;
  encoding: RestEncoding;
  /** Requests in flight at once: the keep-alive pool opens this many sockets. */
  concurrency: number;
}

const CLIENT_TYPES: Readonly<Record<RestEncoding, string>> = {
  predict: 'REST (predict JSON)',
  json: 'REST (V2 JSON)',
  binary: 'REST (V2 binary)',
};

/** Proton's REST API (original /predict or Open Inference Protocol V2) over keep-alive HTTP/1.1. */
export class RestTransport implements InferTransport {
  readonly clientType: string;
  private readonly http: HttpExchange;
  private readonly encoding: RestEncoding;

  constructor(options: RestTransportOptions) {
    this.encoding = options.encoding;
    this.clientType = CLIENT_TYPES[options.encoding];
    this.http = new HttpExchange(options.url, options.concurrency);
  }

  async fetchModelSpec(model: string): Promise<ModelSpec> {
    const reply = await this.http.request('GET', `/v2/models/${encodeURIComponent(model)}`);
    if (reply.status !== 200) throw replyError(reply);
    return modelSpecOf(JSON.parse(reply.body.toString('utf8')), model);
  }

  prepare(spec: ModelSpec, inputs: NamedTensor[]): PreparedCall {
    const { path, body, headers } = encodeRestRequest(this.encoding, spec, inputs);
    const exchange = async (): Promise<HttpReply> => {
      const reply = await this.http.request('POST', path, body, headers);
      if (reply.status !== 200) throw replyError(reply);
      return reply;
    };
    return {
      send: async () => {
        await exchange();
      },
      infer: async () => decodeRestAnswer(this.encoding, spec, await exchange()),
    };
  }

  answeredOutputs(spec: ModelSpec): TensorSpec[] {
    return this.encoding === 'predict' ? spec.outputs.slice(0, 1) : spec.outputs;
  }

  close(): void {
    this.http.close();
  }
}

function replyError(reply: HttpReply): RequestError {
  return new RequestError(`HTTP ${reply.status}`, errorMessageOfReply(reply));
}
