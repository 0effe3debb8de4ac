/**
 * Typed resources a finding is about. The first resource of a finding is its primary resource: the
 * thing an incident is about and the thing containment acts on. Fields the sources do not give stay absent.
 */
import * as z from "zod";

const tags = z.record(z.string(), z.string());

const base = {
  /** The resource's own id: instance id, principal ARN, key id, bucket name, group id, cluster name… */
  id: z.string().min(1),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  region: z.string().optional(),
  tags: tags.optional(),
};

export const securityGroupRefSchema = z.object({ id: z.string(), name: z.string().optional() });
export type SecurityGroupRef = z.infer<typeof securityGroupRefSchema>;

export const networkInterfaceSchema = z.object({
  id: z.string(),
  privateIp: z.string().optional(),
  publicIp: z.string().optional(),
  subnetId: z.string().optional(),
  vpcId: z.string().optional(),
  securityGroups: z.array(securityGroupRefSchema),
});
export type NetworkInterface = z.infer<typeof networkInterfaceSchema>;

/** An ingress permission as the event states it (CloudTrail AuthorizeSecurityGroupIngress, ASFF details). */
export const ingressRuleSchema = z.object({
  protocol: z.string(),
  fromPort: z.number().optional(),
  toPort: z.number().optional(),
  cidr: z.string(),
  /** True when the CIDR is the whole IPv4 or IPv6 space, however it was written. */
  worldOpen: z.boolean(),
  ruleId: z.string().optional(),
});
export type IngressRule = z.infer<typeof ingressRuleSchema>;

export const resourceSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("ec2-instance"),
    ...base,
    instanceType: z.string().optional(),
    imageId: z.string().optional(),
    state: z.string().optional(),
    vpcId: z.string().optional(),
    subnetId: z.string().optional(),
    availabilityZone: z.string().optional(),
    instanceProfileArn: z.string().optional(),
    networkInterfaces: z.array(networkInterfaceSchema),
    securityGroups: z.array(securityGroupRefSchema),
  }),
  z.object({
    type: z.literal("iam-principal"),
    ...base,
    /** Root, IAMUser, AssumedRole, FederatedUser, AWSService, Role… */
    principalType: z.string().optional(),
    name: z.string().optional(),
  }),
  z.object({
    type: z.literal("access-key"),
    ...base,
    principalId: z.string().optional(),
    userName: z.string().optional(),
    userType: z.string().optional(),
  }),
  z.object({
    type: z.literal("s3-bucket"),
    ...base,
    publiclyAccessible: z.boolean().optional(),
    objectKey: z.string().optional(),
  }),
  z.object({
    type: z.literal("security-group"),
    ...base,
    name: z.string().optional(),
    vpcId: z.string().optional(),
    /** Ingress rules this finding is about (e.g. the one that opened the group to the world). */
    ingress: z.array(ingressRuleSchema).optional(),
  }),
  z.object({
    type: z.literal("eks-cluster"),
    ...base,
    namespace: z.string().optional(),
    workload: z.string().optional(),
  }),
  z.object({ type: z.literal("ecs-cluster"), ...base, taskArn: z.string().optional() }),
  z.object({
    type: z.literal("container"),
    ...base,
    image: z.string().optional(),
    name: z.string().optional(),
  }),
  z.object({ type: z.literal("rds-db-instance"), ...base, engine: z.string().optional() }),
  z.object({ type: z.literal("lambda-function"), ...base, name: z.string().optional() }),
  z.object({ type: z.literal("ebs-volume"), ...base }),
  z.object({ type: z.literal("kms-key"), ...base }),
  z.object({ type: z.literal("cloudtrail-trail"), ...base }),
  z.object({
    type: z.literal("waf-web-acl"),
    ...base,
    name: z.string().optional(),
    ruleIds: z.array(z.string()).optional(),
    clientIps: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal("cloudwatch-alarm"),
    ...base,
    namespace: z.string().optional(),
    metricName: z.string().optional(),
  }),
  z.object({ type: z.literal("app-resource"), ...base, application: z.string().optional() }),
  z.object({ type: z.literal("aws-account"), ...base }),
  /** Anything else (ASFF AwsEc2Volume, AwsDynamoDbTable…): kept with its source type name. */
  z.object({ type: z.literal("other"), ...base, sourceType: z.string() }),
]);
export type Resource = z.infer<typeof resourceSchema>;
export type ResourceType = Resource["type"];
export type ResourceOf<T extends ResourceType> = Extract<Resource, { type: T }>;
