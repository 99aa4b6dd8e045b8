// Loki's push schema, written as .proto text from the field numbers Loki
// publishes for `logproto.PushRequest` (pkg/push/push.proto). `line` is read
// as `bytes` (same wire type as `string`) so the receiver keeps the exact
// bytes a client sent and measures them as Loki does, in bytes.
export const PUSH_PROTO = `
syntax = "proto3";
package logproto;

message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}

message PushRequest {
  repeated StreamAdapter streams = 1;
  string format = 2;
}

message StreamAdapter {
  string labels = 1;
  repeated EntryAdapter entries = 2;
  uint64 hash = 3;
}

message EntryAdapter {
  Timestamp timestamp = 1;
  bytes line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
  repeated LabelPairAdapter parsed = 4;
}

message LabelPairAdapter {
  string name = 1;
  string value = 2;
}
`;
