/**
 * The subset of Kubernetes' protobuf schema that skyfed speaks (`application/vnd.kubernetes.protobuf`),
 * kept as text so there is no copy step into `dist/`. Messages and field numbers are the published ones
 * of k8s.io/apimachinery (`pkg/apis/meta/v1`, `pkg/runtime`, `pkg/util/intstr`) and k8s.io/api
 * (`core/v1`, `events/v1`, `authorization/v1`, `authentication/v1`); fields skyfed never reads or
 * writes are left out (protobuf skips unknown fields). A wrong number would silently drop a field:
 * test/unit/api/protobuf-codec.test.ts decodes bytes as kubectl sends them.
 *
 * `[(pointer) = true]` marks fields that are pointers in the Go types: their zero value is meaningful
 * (it is sent on purpose), while Go sends every non-pointer field, set or not, and JSON omits those
 * when empty. The codec (codec.ts) uses the mark to turn wire messages into the JSON kube-apiserver
 * would show.
 */
const RUNTIME = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.runtime;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message RawExtension { optional bytes raw = 1; }
message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}
`;

const INTSTR = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.util.intstr;
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }
`;

const META = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message MicroTime { optional int64 seconds = 1; optional int32 nanos = 2; }
message FieldsV1 { optional bytes Raw = 1; }
message OwnerReference {
  optional string apiVersion = 5; optional string kind = 1; optional string name = 3; optional string uid = 4;
  optional bool controller = 6 [(pointer) = true]; optional bool blockOwnerDeletion = 7 [(pointer) = true];
}
message ManagedFieldsEntry {
  optional string manager = 1; optional string operation = 2; optional string apiVersion = 3;
  optional Time time = 4; optional string fieldsType = 6; optional FieldsV1 fieldsV1 = 7; optional string subresource = 8;
}
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3;
  optional string selfLink = 4; optional string uid = 5; optional string resourceVersion = 6;
  optional int64 generation = 7; optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10 [(pointer) = true];
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
  repeated ManagedFieldsEntry managedFields = 17;
}
message ListMeta {
  optional string selfLink = 1; optional string resourceVersion = 2; optional string continue = 3;
  optional int64 remainingItemCount = 4 [(pointer) = true];
}
message StatusCause { optional string reason = 1; optional string message = 2; optional string field = 3; }
message StatusDetails {
  optional string name = 1; optional string group = 2; optional string kind = 3; optional string uid = 6;
  repeated StatusCause causes = 4; optional int32 retryAfterSeconds = 5;
}
message Status {
  optional ListMeta metadata = 1; optional string status = 2; optional string message = 3;
  optional string reason = 4; optional StatusDetails details = 5; optional int32 code = 6;
}
message Preconditions { optional string uid = 1 [(pointer) = true]; optional string resourceVersion = 2 [(pointer) = true]; }
message DeleteOptions {
  optional int64 gracePeriodSeconds = 1 [(pointer) = true]; optional Preconditions preconditions = 2;
  optional bool orphanDependents = 3 [(pointer) = true]; optional string propagationPolicy = 4 [(pointer) = true];
  repeated string dryRun = 5; optional bool ignoreStoreReadErrorWithClusterBreakingPotential = 6 [(pointer) = true];
}
message Condition {
  optional string type = 1; optional string status = 2; optional int64 observedGeneration = 3;
  optional Time lastTransitionTime = 4; optional string reason = 5; optional string message = 6;
}
message LabelSelectorRequirement { optional string key = 1; optional string operator = 2; repeated string values = 3; }
message FieldSelectorRequirement { optional string key = 1; optional string operator = 2; repeated string values = 3; }
message WatchEvent { optional string type = 1; optional k8s.io.apimachinery.pkg.runtime.RawExtension object = 2; }
`;

const CORE = `
syntax = "proto2";
package k8s.io.api.core.v1;
message Secret {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional bool immutable = 5 [(pointer) = true];
  map<string, bytes> data = 2; map<string, string> stringData = 4; optional string type = 3;
}
message SecretList { optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1; repeated Secret items = 2; }
message ClientIPConfig { optional int32 timeoutSeconds = 1 [(pointer) = true]; }
message SessionAffinityConfig { optional ClientIPConfig clientIP = 1; }
message ServicePort {
  optional string name = 1; optional string protocol = 2; optional string appProtocol = 6 [(pointer) = true];
  optional int32 port = 3; optional k8s.io.apimachinery.pkg.util.intstr.IntOrString targetPort = 4; optional int32 nodePort = 5;
}
message ServiceSpec {
  repeated ServicePort ports = 1; map<string, string> selector = 2; optional string clusterIP = 3;
  repeated string clusterIPs = 18; optional string type = 4; repeated string externalIPs = 5;
  optional string sessionAffinity = 7; optional string loadBalancerIP = 8; repeated string loadBalancerSourceRanges = 9;
  optional string externalName = 10; optional string externalTrafficPolicy = 11; optional int32 healthCheckNodePort = 12;
  optional bool publishNotReadyAddresses = 13; optional SessionAffinityConfig sessionAffinityConfig = 14;
  repeated string ipFamilies = 19; optional string ipFamilyPolicy = 17 [(pointer) = true];
  optional bool allocateLoadBalancerNodePorts = 20 [(pointer) = true]; optional string loadBalancerClass = 21 [(pointer) = true];
  optional string internalTrafficPolicy = 22 [(pointer) = true]; optional string trafficDistribution = 23 [(pointer) = true];
}
message PortStatus { optional int32 port = 1; optional string protocol = 2; optional string error = 3 [(pointer) = true]; }
message LoadBalancerIngress {
  optional string ip = 1; optional string hostname = 2; optional string ipMode = 3 [(pointer) = true]; repeated PortStatus ports = 4;
}
message LoadBalancerStatus { repeated LoadBalancerIngress ingress = 1; }
message ServiceStatus {
  optional LoadBalancerStatus loadBalancer = 1; repeated k8s.io.apimachinery.pkg.apis.meta.v1.Condition conditions = 2;
}
message Service {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ServiceSpec spec = 2; optional ServiceStatus status = 3;
}
message ServiceList { optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1; repeated Service items = 2; }
message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceCondition {
  optional string type = 1; optional string status = 2; optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5; optional string message = 6;
}
message NamespaceStatus { optional string phase = 1; repeated NamespaceCondition conditions = 2; }
message Namespace {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3;
}
message NamespaceList { optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1; repeated Namespace items = 2; }
message ObjectReference {
  optional string kind = 1; optional string namespace = 2; optional string name = 3; optional string uid = 4;
  optional string apiVersion = 5; optional string resourceVersion = 6; optional string fieldPath = 7;
}
message EventSource { optional string component = 1; optional string host = 2; }
message EventSeries { optional int32 count = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2; }
message Event {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ObjectReference involvedObject = 2;
  optional string reason = 3; optional string message = 4; optional EventSource source = 5;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time firstTimestamp = 6; optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTimestamp = 7;
  optional int32 count = 8; optional string type = 9; optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 10;
  optional EventSeries series = 11; optional string action = 12; optional ObjectReference related = 13;
  optional string reportingComponent = 14; optional string reportingInstance = 15;
}
message EventList { optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1; repeated Event items = 2; }
`;

const EVENTS = `
syntax = "proto2";
package k8s.io.api.events.v1;
message EventSeries { optional int32 count = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2; }
message Event {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 2;
  optional EventSeries series = 3; optional string reportingController = 4; optional string reportingInstance = 5;
  optional string action = 6; optional string reason = 7; optional k8s.io.api.core.v1.ObjectReference regarding = 8;
  optional k8s.io.api.core.v1.ObjectReference related = 9; optional string note = 10; optional string type = 11;
  optional k8s.io.api.core.v1.EventSource deprecatedSource = 12;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time deprecatedFirstTimestamp = 13;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time deprecatedLastTimestamp = 14; optional int32 deprecatedCount = 15;
}
message EventList { optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1; repeated Event items = 2; }
`;

const AUTHORIZATION = `
syntax = "proto2";
package k8s.io.api.authorization.v1;
message FieldSelectorAttributes {
  optional string rawSelector = 1; repeated k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement requirements = 2;
}
message LabelSelectorAttributes {
  optional string rawSelector = 1; repeated k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement requirements = 2;
}
message ResourceAttributes {
  optional string namespace = 1; optional string verb = 2; optional string group = 3; optional string version = 4;
  optional string resource = 5; optional string subresource = 6; optional string name = 7;
  optional FieldSelectorAttributes fieldSelector = 8; optional LabelSelectorAttributes labelSelector = 9;
}
message NonResourceAttributes { optional string path = 1; optional string verb = 2; }
message SelfSubjectAccessReviewSpec { optional ResourceAttributes resourceAttributes = 1; optional NonResourceAttributes nonResourceAttributes = 2; }
message SubjectAccessReviewStatus { optional bool allowed = 1; optional bool denied = 4; optional string reason = 2; optional string evaluationError = 3; }
message SelfSubjectAccessReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional SelfSubjectAccessReviewSpec spec = 2;
  optional SubjectAccessReviewStatus status = 3;
}
message SelfSubjectRulesReviewSpec { optional string namespace = 1; }
message ResourceRule { repeated string verbs = 1; repeated string apiGroups = 2; repeated string resources = 3; repeated string resourceNames = 4; }
message NonResourceRule { repeated string verbs = 1; repeated string nonResourceURLs = 2; }
message SubjectRulesReviewStatus {
  repeated ResourceRule resourceRules = 1; repeated NonResourceRule nonResourceRules = 2;
  optional bool incomplete = 3; optional string evaluationError = 4;
}
message SelfSubjectRulesReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional SelfSubjectRulesReviewSpec spec = 2;
  optional SubjectRulesReviewStatus status = 3;
}
`;

const AUTHENTICATION = `
syntax = "proto2";
package k8s.io.api.authentication.v1;
message ExtraValue { repeated string items = 1; }
message UserInfo { optional string username = 1; optional string uid = 2; repeated string groups = 3; map<string, ExtraValue> extra = 4; }
message SelfSubjectReviewStatus { optional UserInfo userInfo = 1; }
message SelfSubjectReview { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional SelfSubjectReviewStatus status = 2; }
`;

export const K8S_PROTO_FILES: readonly string[] = [RUNTIME, INTSTR, META, CORE, EVENTS, AUTHORIZATION, AUTHENTICATION];

/**
 * Which message a `{apiVersion, kind}` is encoded as. `DeleteOptions` and `Status` belong to every
 * group-version (clients send them with their own group's apiVersion), so they are matched by kind.
 * Everything not listed (Cluster, Table, discovery documents) is JSON only, as custom resources are
 * in kube-apiserver.
 */
export const MESSAGE_OF_KIND: Readonly<Record<string, string>> = {
  'v1/Secret': 'k8s.io.api.core.v1.Secret',
  'v1/SecretList': 'k8s.io.api.core.v1.SecretList',
  'v1/Service': 'k8s.io.api.core.v1.Service',
  'v1/ServiceList': 'k8s.io.api.core.v1.ServiceList',
  'v1/Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1/NamespaceList': 'k8s.io.api.core.v1.NamespaceList',
  'v1/Event': 'k8s.io.api.core.v1.Event',
  'v1/EventList': 'k8s.io.api.core.v1.EventList',
  'events.k8s.io/v1/Event': 'k8s.io.api.events.v1.Event',
  'events.k8s.io/v1/EventList': 'k8s.io.api.events.v1.EventList',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'k8s.io.api.authorization.v1.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'k8s.io.api.authorization.v1.SelfSubjectRulesReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'k8s.io.api.authentication.v1.SelfSubjectReview',
  'authentication.k8s.io/v1beta1/SelfSubjectReview': 'k8s.io.api.authentication.v1.SelfSubjectReview',
};

export const MESSAGE_OF_ANY_VERSION: Readonly<Record<string, string>> = {
  Status: 'k8s.io.apimachinery.pkg.apis.meta.v1.Status',
  DeleteOptions: 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
};
