import { DataType } from '../gen/model_config_pb';
import type { TensorType } from '../protocol/datatypes';

/** ModelConfig data types and the element types Proton serves: the one table between them. */
const TENSOR_TYPE_OF: ReadonlyMap<DataType, TensorType> = new Map<DataType, TensorType>([
  [DataType.TYPE_BOOL, 'bool'],
  [DataType.TYPE_UINT8, 'uint8'],
  [DataType.TYPE_UINT16, 'uint16'],
  [DataType.TYPE_UINT32, 'uint32'],
  [DataType.TYPE_UINT64, 'uint64'],
  [DataType.TYPE_INT8, 'int8'],
  [DataType.TYPE_INT16, 'int16'],
  [DataType.TYPE_INT32, 'int32'],
  [DataType.TYPE_INT64, 'int64'],
  [DataType.TYPE_FP16, 'float16'],
  [DataType.TYPE_FP32, 'float32'],
  [DataType.TYPE_FP64, 'float64'],
  [DataType.TYPE_STRING, 'string'],
]);

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
