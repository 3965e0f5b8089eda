import { onnx } from 'onnx-proto';
import type { TensorType } from '../protocol/datatypes';
import type { Tensor } from '../protocol/tensor';
import { onnxDataTypeOf } from '../protocol/datatypes';
import { tensorToProto } from './tensor-proto';

/** One dimension of a graph input or output: a size, or the name of a dynamic dimension. */
export type Dim = number | string;

/** A node attribute value, tagged with its ONNX attribute kind (a bare number would not say int or float). */
export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'tensor'; value: Tensor };

/** Constructors of tagged attribute values: `{ axis: attr.int(1), alpha: attr.float(0.2) }`. */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  tensor: (value: Tensor): AttributeValue => ({ kind: 'tensor', value }),
};

/** Opset and IR version the builder writes: opset 13 with IR 7 loads in every ONNX Runtime since 1.6. */
export const DEFAULT_OPSET = 13;
export const DEFAULT_IR_VERSION = 7;

/** `count` float32 values uniform in [-scale, scale) drawn from `random`. */
export function uniformValues(random: () => number, count: number, scale: number): Float32Array {
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) values[index] = (random() * 2 - 1) * scale;
  return values;
}

/** Builds one ONNX graph node by node, then serializes it as a model. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly graphName: string) {}

  /** Declares a graph input. */
  addInput(name: string, type: TensorType, shape: readonly Dim[]): this {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, shape));
    return this;
  }

  /** Declares a graph output; some node must produce `name`. */
  addOutput(name: string, type: TensorType, shape: readonly Dim[]): this {
    this.outputs.push(valueInfo(name, type, shape));
    return this;
  }

  /** Adds a constant tensor (a weight) that nodes can use as an input by name. */
  addInitializer(name: string, tensor: Tensor): this {
    this.claim(name);
    this.initializers.push(tensorToProto(name, tensor));
    return this;
  }

  /**
   * Adds a node. Its outputs become names later nodes can use.
   * An empty string in `inputs` marks an omitted optional input, as in ONNX.
   */
  addNode(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, AttributeValue> = {}): this {
    for (const output of outputs) this.claim(output);
    this.nodes.push({
      opType,
      name: `${opType.toLowerCase()}_${this.nodes.length}`,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attributes).map(([name, value]) => attributeProto(name, value)),
    });
    return this;
  }

  /** The model as a protobuf message object. */
  toModelProto(opset = DEFAULT_OPSET, irVersion = DEFAULT_IR_VERSION): onnx.IModelProto {
    return {
      irVersion,
      producerName: 'proton-model-builder',
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }

  /** The model serialized as ONNX bytes. */
  serialize(opset = DEFAULT_OPSET, irVersion = DEFAULT_IR_VERSION): Uint8Array {
    return onnx.ModelProto.encode(this.toModelProto(opset, irVersion)).finish();
  }

  /** ONNX graphs are in SSA form: every value name is defined once. */
  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`GraphBuilder: the name '${name}' is already defined`);
    this.names.add(name);
  }
}

function valueInfo(name: string, type: TensorType, shape: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxDataTypeOf(type),
        shape: { dim: shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function attributeProto(name: string, attribute: AttributeValue): onnx.IAttributeProto {
  const Type = onnx.AttributeProto.AttributeType;
  switch (attribute.kind) {
    case 'int':
      return { name, type: Type.INT, i: attribute.value };
    case 'float':
      return { name, type: Type.FLOAT, f: attribute.value };
    case 'string':
      return { name, type: Type.STRING, s: Buffer.from(attribute.value, 'utf8') };
    case 'ints':
      return { name, type: Type.INTS, ints: [...attribute.value] };
    case 'floats':
      return { name, type: Type.FLOATS, floats: [...attribute.value] };
    case 'tensor':
      return { name, type: Type.TENSOR, t: tensorToProto(name, attribute.value) };
  }
}
