// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) into the
// JSON objects the rest of the apiserver handles.

export { decodeProtobufObject, PROTOBUF_MEDIA_TYPE, type DecodedProtobufObject } from './decode-protobuf-object.ts';
export { ProtobufDecodeError } from './protobuf-decode-error.ts';
