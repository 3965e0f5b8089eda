import { Option } from 'commander';
import { clientMain } from './client-cli';
import { REST_ENCODINGS, type RestEncoding } from './rest-encodings';
import { RestTransport } from './rest-transport';

/** `npm run client`: the REST load client. */
clientMain({
  name: 'rest-client',
  description: "Sends concurrent inference requests to Proton's REST API and prints latency percentiles and throughput.",
  defaultUrl: 'http://localhost:8080',
  protocolOption: new Option(
    '--encoding <encoding>',
    'predict = original POST /predict JSON, json = V2 JSON tensors, binary = V2 binary tensor extension',
  )
    .choices(REST_ENCODINGS)
    .default('binary'),
  createTransport: (url, encoding, concurrency) => new RestTransport({ url, encoding: encoding as RestEncoding, concurrency }),
});
