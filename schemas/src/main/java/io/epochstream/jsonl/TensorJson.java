package io.epochstream.jsonl;

import static io.epochstream.jsonl.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.event.Tensors;
import io.epochstream.schema.DType;
import io.epochstream.schema.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * A tensor field of a JSON line: a number, a nested rectangular list, or the packed form (dtype,
 * shape, base64 little-endian bytes). Lists keep every digit (INT64 or FLOAT64 unless a dtype is
 * declared); a packed tensor keeps its dtype and bytes, and is how step lines are written.
 */
final class TensorJson {
  /** How NaN and infinities are written, JSON having no literal for them. */
  private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");
  private static final String DTYPE_NAMES = "float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8 or bool";
  private static final Set<String> PACKED_FIELDS = Set.of("dtype", "shape", "data");

  private TensorJson() {}

  /**
   * The declared dtype of a list-form tensor field ({@code preds_dtype}, {@code target_dtype}): torch's
   * names without {@code torch.} (see {@link Tensors#ofTorchName}); null when absent, so the numbers decide.
   */
  static DType dtype(JsonNode node, String field) {
    if (!node.has(field) || node.get(field).isNull()) {
      return null;
    }
    String name = text(node, field);
    DType dtype = Tensors.ofTorchName(name);
    if (dtype == null) {
      throw new JsonLinesException(field, field + " must be " + DTYPE_NAMES + ", not '" + name + "'");
    }
    return dtype;
  }

  /**
   * A tensor field: a JSON number, a nested rectangular list of numbers, or the packed form
   * {@code {"dtype":"float16","shape":[256,10],"data":"<base64>"}} (row-major little-endian bytes).
   * A list's dtype is the declared one, else INT64 when every value is integral (JSON {@code 1},
   * {@code true}) and FLOAT64 otherwise ({@code 1.0}, {@code "NaN"}): what {@code tensor.tolist()} of
   * an integer or a float tensor prints. Integer preds are labels to the metrics, float preds scores.
   */
  static Tensor tensor(JsonNode node, String field) {
    return tensor(node, field, null);
  }

  static Tensor tensor(JsonNode node, String field, DType declared) {
    if (node.isObject()) {
      Tensor packed = packed(node, field);
      if (declared != null && declared != packed.getDtype()) {
        throw new JsonLinesException(field, field + "_dtype says " + Tensors.torchName(declared) + " but " + field
            + " is packed as " + Tensors.torchName(packed.getDtype()));
      }
      return packed;
    }
    if (!node.isArray()) {
      double[] value = new double[1];
      boolean[] integral = {true};
      if (!node.isNumber() && !node.isBoolean() && !node.isTextual()) {
        throw new JsonLinesException(field, field + " must be a number, a list or a packed tensor");
      }
      flatten(node, new int[0], 0, value, 0, integral, field);
      return pack(value, new int[0], integral[0], declared, field);
    }
    List<Integer> shape = new ArrayList<>();
    for (JsonNode n = node; n.isArray(); n = n.size() > 0 ? n.get(0) : MAPPER.nullNode()) {
      shape.add(n.size());
      if (n.size() == 0) {
        break;
      }
    }
    int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
    int count = 1;
    for (int d : dims) {
      count *= d;
    }
    double[] values = new double[count];
    boolean[] integral = {true};
    int filled = flatten(node, dims, 0, values, 0, integral, field);
    if (filled != count) {
      throw new JsonLinesException(field, field + " is not a rectangular list of numbers");
    }
    return pack(values, dims, integral[0], declared, field);
  }

  /** The packed form: dtype, shape and base64 data, whose byte count must be what dtype and shape need. */
  private static Tensor packed(JsonNode node, String field) {
    node.fieldNames().forEachRemaining(name -> {
      if (!PACKED_FIELDS.contains(name)) {
        throw new JsonLinesException(field, field + " is a packed tensor {\"dtype\",\"shape\",\"data\"} and has no field '" + name + "'");
      }
    });
    JsonNode dtypeNode = node.get("dtype");
    JsonNode shapeNode = node.get("shape");
    JsonNode dataNode = node.get("data");
    if (dtypeNode == null || shapeNode == null || dataNode == null) {
      throw new JsonLinesException(field, field + ": a packed tensor needs dtype, shape and data");
    }
    DType dtype = dtypeNode.isTextual() ? Tensors.ofTorchName(dtypeNode.asText()) : null;
    if (dtype == null) {
      throw new JsonLinesException(field, field + ".dtype must be " + DTYPE_NAMES + ", not " + dtypeNode);
    }
    if (!shapeNode.isArray()) {
      throw new JsonLinesException(field, field + ".shape must be a list of dimensions");
    }
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 0) {
        throw new JsonLinesException(field, field + ".shape must hold non-negative integers, not " + d);
      }
      shape[i] = d.asInt();
    }
    if (!dataNode.isTextual()) {
      throw new JsonLinesException(field, field + ".data must be a base64 string");
    }
    byte[] data;
    try {
      data = Base64.getDecoder().decode(dataNode.asText());
    } catch (IllegalArgumentException e) {
      throw new JsonLinesException(field, field + ".data is not base64: " + e.getMessage());
    }
    try {
      return Tensors.ofBytes(dtype, data, shape);
    } catch (IllegalArgumentException e) {
      throw new JsonLinesException(field, field + ": " + e.getMessage());
    }
  }

  /** List values into the declared dtype (float16 and bfloat16 lists as float32), else INT64 or FLOAT64. */
  private static Tensor pack(double[] values, int[] dims, boolean integral, DType declared, String field) {
    DType dtype = declared != null ? declared : integral ? DType.INT64 : DType.FLOAT64;
    if (dtype == DType.FLOAT64) {
      return Tensors.ofDoubles(values, dims);
    }
    if (Tensors.isFloating(dtype)) {
      float[] floats = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        floats[i] = (float) values[i];
      }
      return Tensors.ofFloats(floats, dims);
    }
    double min = switch (dtype) {
      case INT8 -> Byte.MIN_VALUE;
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      case UINT8, BOOL -> 0;
      default -> Long.MIN_VALUE;
    };
    double max = switch (dtype) {
      case INT8 -> Byte.MAX_VALUE;
      case INT16 -> Short.MAX_VALUE;
      case INT32 -> Integer.MAX_VALUE;
      case UINT8 -> 255;
      case BOOL -> 1;
      default -> Long.MAX_VALUE;
    };
    for (int i = 0; i < values.length; i++) {
      if (values[i] != Math.rint(values[i]) || values[i] < min || values[i] > max) {
        throw new JsonLinesException(field, field + " is declared " + Tensors.torchName(dtype) + " but holds " + values[i]
            + " at flat index " + i);
      }
    }
    return switch (dtype) {
      case INT64 -> {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
          longs[i] = (long) values[i];
        }
        yield Tensors.ofLongs(longs, dims);
      }
      case INT32 -> {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
          ints[i] = (int) values[i];
        }
        yield Tensors.ofInts(ints, dims);
      }
      default -> { // the one- and two-byte integers and bool, little-endian
        int width = Tensors.width(dtype);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(values.length * width).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
          if (width == 1) {
            buf.put((byte) (long) v);
          } else {
            buf.putShort((short) (long) v);
          }
        }
        yield Tensors.ofBytes(dtype, buf.array(), dims);
      }
    };
  }

  private static int flatten(JsonNode node, int[] dims, int depth, double[] out, int pos, boolean[] integral, String field) {
    if (depth == dims.length) {
      if (node.isBoolean()) {
        out[pos] = node.asBoolean() ? 1 : 0; // a bool tensor's tolist(): labels
      } else if (node.isNumber()) {
        integral[0] &= node.isIntegralNumber();
        out[pos] = node.asDouble();
      } else if (node.isTextual() && NON_FINITE.contains(node.asText())) {
        integral[0] = false;
        out[pos] = number(node, field);
      } else {
        throw new JsonLinesException(field, field + " must hold numbers only (found " + node + ")");
      }
      return pos + 1;
    }
    if (!node.isArray() || node.size() != dims[depth]) {
      throw new JsonLinesException(field, field + " is not a rectangular list of numbers");
    }
    for (JsonNode child : node) {
      pos = flatten(child, dims, depth + 1, out, pos, integral, field);
    }
    return pos;
  }

  /** The packed form of a tensor: its own dtype, shape and bytes, so it decodes to the same tensor. */
  static JsonNode packedJson(Tensor t) {
    ObjectNode out = MAPPER.createObjectNode().put("dtype", Tensors.torchName(t.getDtype()));
    ArrayNode shape = out.putArray("shape");
    t.getShape().forEach(shape::add);
    ByteBuffer data = t.getData().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return out.put("data", Base64.getEncoder().encodeToString(bytes));
  }
}
