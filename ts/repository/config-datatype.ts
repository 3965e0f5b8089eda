import { DataType } from '../gen/model_config_pb';
import { TENSOR_TYPES, toV2Datatype, type TensorType } from '../protocol/datatypes';

/**
 * ModelConfig data types and the element types Proton serves, derived from the one datatype
 * table: Triton names them `TYPE_` + the V2 name, except BYTES, which the config calls STRING.
 */
const TENSOR_TYPE_OF: ReadonlyMap<DataType, TensorType> = new Map(
  TENSOR_TYPES.map((type): [DataType, TensorType] => {
    const v2 = toV2Datatype(type);
    const name = `TYPE_${v2 === 'BYTES' ? 'STRING' : v2}` as keyof typeof DataType;
    return [DataType[name], type];
  }),
);

const DATA_TYPE_OF: ReadonlyMap<TensorType, DataType> = new Map([...TENSOR_TYPE_OF].map(([data, tensor]) => [tensor, data]));

/** The element type of a config data type; undefined for TYPE_INVALID and TYPE_BF16. */
export function tensorTypeOf(dataType: DataType): TensorType | undefined {
  return TENSOR_TYPE_OF.get(dataType);
}

export function dataTypeOf(type: TensorType): DataType {
  return DATA_TYPE_OF.get(type) ?? DataType.TYPE_INVALID;
}

/** `TYPE_FP32` for messages. */
export function dataTypeName(dataType: DataType): string {
  return DataType[dataType] ?? String(dataType);
}
