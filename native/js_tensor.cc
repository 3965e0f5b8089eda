#include "js_tensor.h"

#include <cstring>

#include "element_type.h"

namespace proton {

const char* TensorTypeName(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
      return "float64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
      return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
      return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
      return "int16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
      return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
      return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
      return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16:
      return "uint16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32:
      return "uint32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64:
      return "uint64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
      return "bool";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
      return "string";
    default:
      return "unsupported";
  }
}

namespace {

napi_typedarray_type TypedArrayOf(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      return napi_float32_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
      return napi_float64_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16:
      return napi_uint16_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
      return napi_int8_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
      return napi_int16_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
      return napi_int32_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
      return napi_bigint64_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32:
      return napi_uint32_array;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64:
      return napi_biguint64_array;
    default:
      return napi_uint8_array;
  }
}

Napi::Array DimsToJs(Napi::Env env, const std::vector<int64_t>& dims) {
  Napi::Array array = Napi::Array::New(env, dims.size());
  for (size_t i = 0; i < dims.size(); ++i)
    array.Set(static_cast<uint32_t>(i), static_cast<double>(dims[i]));
  return array;
}

Napi::Array TensorInfoListToJs(Napi::Env env, const std::vector<TensorInfo>& list) {
  Napi::Array array = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const TensorInfo& info = list[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", info.name);
    entry.Set("type", TensorTypeName(info.type));
    Napi::Array shape = Napi::Array::New(env, info.dims.size());
    for (size_t d = 0; d < info.dims.size(); ++d) {
      if (info.dims[d] >= 0) {
        shape.Set(static_cast<uint32_t>(d), static_cast<double>(info.dims[d]));
      } else if (!info.symbolic[d].empty()) {
        shape.Set(static_cast<uint32_t>(d), info.symbolic[d]);
      } else {
        shape.Set(static_cast<uint32_t>(d), -1.0);
      }
    }
    entry.Set("shape", shape);
    array.Set(static_cast<uint32_t>(i), entry);
  }
  return array;
}

}  // namespace

InputTensor ReadInputTensor(Napi::Env env, const Napi::Object& tensor, const TensorInfo& info,
                            JsHandles& js) {
  InputTensor input;
  Napi::Array dims = tensor.Get("dims").As<Napi::Array>();
  const uint32_t rank = dims.Length();
  input.dims.resize(rank);
  for (uint32_t d = 0; d < rank; ++d) input.dims[d] = dims.Get(d).As<Napi::Number>().Int64Value();

  Napi::Value data = tensor.Get("data");
  if (info.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    Napi::Array strings = data.As<Napi::Array>();
    const uint32_t count = strings.Length();
    input.strings.reserve(count);
    for (uint32_t i = 0; i < count; ++i)
      input.strings.push_back(strings.Get(i).As<Napi::String>().Utf8Value());
    return input;
  }
  Napi::TypedArray array = data.As<Napi::TypedArray>();
  Napi::ArrayBuffer buffer = array.ArrayBuffer();
  input.data = static_cast<const uint8_t*>(buffer.Data()) + array.ByteOffset();
  input.bytes = array.ByteLength();
  napi_ref reference = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, array, 1, &reference), input);
  js.references.push_back(reference);
  return input;
}

Napi::Object OutputToJs(Napi::Env env, const OutputTensor& output) {
  Napi::Object tensor = Napi::Object::New(env);
  tensor.Set("type", TensorTypeName(output.type));
  tensor.Set("dims", DimsToJs(env, output.dims));
  if (output.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    Napi::Array strings = Napi::Array::New(env, output.strings.size());
    for (size_t i = 0; i < output.strings.size(); ++i) {
      strings.Set(static_cast<uint32_t>(i), Napi::String::New(env, output.strings[i]));
    }
    tensor.Set("data", strings);
    return tensor;
  }
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, output.bytes);
  if (output.bytes > 0) std::memcpy(buffer.Data(), output.data, output.bytes);
  const size_t length = output.bytes / ElementSize(output.type);
  napi_value typed = nullptr;
  NAPI_THROW_IF_FAILED(
      env, napi_create_typedarray(env, TypedArrayOf(output.type), length, buffer, 0, &typed),
      tensor);
  tensor.Set("data", Napi::Value(env, typed));
  return tensor;
}

Napi::Object MetadataToJs(Napi::Env env, const ModelSession& session) {
  Napi::Object metadata = Napi::Object::New(env);
  metadata.Set("inputs", TensorInfoListToJs(env, session.inputs()));
  metadata.Set("outputs", TensorInfoListToJs(env, session.outputs()));
  return metadata;
}

}  // namespace proton
