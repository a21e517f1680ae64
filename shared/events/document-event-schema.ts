/**
 * The schema of Firestore's Eventarc payload, `google.events.cloud.firestore.v1.DocumentEventData`
 * (google-cloudevents `proto/google/events/cloud/firestore/v1/data.proto`), kept as text here so it
 * needs no copy step into `dist/` and no file lookup at run time. Only the messages we decode are
 * written out; the field numbers are the published ones (a mismatch would silently drop fields, and
 * test/integration/events/emulator-trigger.test.ts decodes what the real emulator sends).
 *
 * `google.protobuf.Timestamp` and `NullValue` come from protobufjs's bundled well-known types.
 */
import * as protobuf from 'protobufjs';

const LATLNG_PROTO = `
syntax = "proto3";
package google.type;
message LatLng {
  double latitude = 1;
  double longitude = 2;
}
`;

const DOCUMENT_EVENT_DATA_PROTO = `
syntax = "proto3";
package google.events.cloud.firestore.v1;

import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/type/latlng.proto";

message DocumentEventData {
  Document value = 1;         // after the write; absent on delete
  Document old_value = 2;     // before the write; absent on create
  DocumentMask update_mask = 3;
}

message DocumentMask {
  repeated string field_paths = 1;
}

message Document {
  string name = 1;            // projects/{p}/databases/{d}/documents/{path}
  map<string, Value> fields = 2;
  google.protobuf.Timestamp create_time = 3;
  google.protobuf.Timestamp update_time = 4;
}

message Value {
  oneof value_type {
    google.protobuf.NullValue null_value = 11;
    bool boolean_value = 1;
    int64 integer_value = 2;
    double double_value = 3;
    google.protobuf.Timestamp timestamp_value = 10;
    string string_value = 17;
    bytes bytes_value = 18;
    string reference_value = 5;
    google.type.LatLng geo_point_value = 8;
    ArrayValue array_value = 9;
    MapValue map_value = 6;
  }
}

message ArrayValue {
  repeated Value values = 1;
}

message MapValue {
  map<string, Value> fields = 1;
}
`;

export const DOCUMENT_EVENT_DATA = 'google.events.cloud.firestore.v1.DocumentEventData';

let cached: protobuf.Root | undefined;

/** The resolved schema root (built once per process). */
export function documentEventSchema(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  for (const wkt of ['google/protobuf/timestamp.proto', 'google/protobuf/struct.proto']) {
    const json = protobuf.common.get(wkt);
    if (!json?.nested) throw new Error(`protobufjs lacks the well-known type ${wkt}`);
    root.addJSON(json.nested);
  }
  protobuf.parse(LATLNG_PROTO, root);
  protobuf.parse(DOCUMENT_EVENT_DATA_PROTO, root);
  root.resolveAll();
  cached = root;
  return root;
}

export function documentEventDataType(): protobuf.Type {
  return documentEventSchema().lookupType(DOCUMENT_EVENT_DATA);
}
