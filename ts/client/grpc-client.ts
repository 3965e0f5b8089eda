import { Option } from 'commander';
import { clientMain } from './client-cli';
import { GRPC_APIS, GrpcTransport, type GrpcApi } from './grpc-transport';

/** `npm run grpc-client`: the gRPC load client. */
clientMain({
  name: 'grpc-client',
  description: "Sends concurrent inference requests to Proton's gRPC API and prints latency percentiles and throughput.",
  defaultUrl: 'localhost:50051',
  protocolOption: new Option(
    '--grpc-api <api>',
    'v2 = inference.GRPCInferenceService/ModelInfer with raw contents, predict = original predict.Predictor/Predict',
  )
    .choices(GRPC_APIS)
    .default('v2'),
  createTransport: (url, api) => new GrpcTransport({ url, api: api as GrpcApi }),
});
