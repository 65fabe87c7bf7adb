// The one error the protobuf decoder throws: the body is not a well-formed Kubernetes protobuf
// object, or it holds something our tables do not know (then the message names the protobuf
// message and field number, so the gap is visible rather than silently dropped).

export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}
