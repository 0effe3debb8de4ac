import { describe, expect, it } from "vitest";
import { resourceSchema } from "../../../../core/findings/resource";
import { ReadContext } from "../../../../core/normalize/read";
import { readAsffResources } from "../../../../core/normalize/securityhub/asff-resources";

const read = (resources: unknown) => {
  const ctx = new ReadContext("ref");
  return { resources: readAsffResources(resources, "$.Resources", ctx), warnings: ctx.warnings };
};

describe("readAsffResources", () => {
  it.each([
    [
      "AwsEc2Instance",
      {
        Id: "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc",
        Details: {
          AwsEc2Instance: {
            Type: "t3.micro",
            VpcId: "vpc-1",
            SubnetId: "subnet-1",
            IamInstanceProfileArn: "arn:aws:iam::111122223333:instance-profile/web",
            NetworkInterfaces: [{ NetworkInterfaceId: "eni-1" }],
          },
        },
      },
      {
        type: "ec2-instance",
        id: "i-0abc",
        accountId: "111122223333",
        region: "us-east-1",
        instanceType: "t3.micro",
        vpcId: "vpc-1",
        subnetId: "subnet-1",
        instanceProfileArn: "arn:aws:iam::111122223333:instance-profile/web",
        networkInterfaces: [{ id: "eni-1", securityGroups: [] }],
      },
    ],
    ["AwsS3Bucket", { Id: "arn:aws:s3:::logs-bucket" }, { type: "s3-bucket", id: "logs-bucket" }],
    [
      "AwsIamAccessKey",
      {
        Id: "AWS::IAM::AccessKey:ASIAEXAMPLE",
        Details: {
          AwsIamAccessKey: { PrincipalId: "AIDAEXAMPLE", PrincipalName: "alice", PrincipalType: "IAMUser" },
        },
      },
      {
        type: "access-key",
        id: "ASIAEXAMPLE",
        principalId: "AIDAEXAMPLE",
        userName: "alice",
        userType: "IAMUser",
      },
    ],
    [
      "AwsIamUser",
      { Id: "arn:aws:iam::111122223333:user/alice" },
      {
        type: "iam-principal",
        id: "arn:aws:iam::111122223333:user/alice",
        name: "alice",
        principalType: "IAMUser",
      },
    ],
    [
      "AwsIamRole",
      { Id: "arn:aws:iam::111122223333:role/deployer" },
      {
        type: "iam-principal",
        id: "arn:aws:iam::111122223333:role/deployer",
        name: "deployer",
        principalType: "Role",
      },
    ],
    [
      "AwsEksCluster",
      { Id: "arn:aws:eks:us-east-1:111122223333:cluster/prod" },
      { type: "eks-cluster", id: "prod" },
    ],
    [
      "AwsEcsCluster",
      { Id: "arn:aws:ecs:us-east-1:111122223333:cluster/jobs" },
      { type: "ecs-cluster", id: "jobs" },
    ],
    [
      "AwsLambdaFunction",
      { Id: "arn:aws:lambda:us-east-1:111122223333:function:notify:live" },
      { type: "lambda-function", id: "notify", name: "notify" },
    ],
    [
      "AwsRdsDbInstance",
      {
        Id: "arn:aws:rds:us-east-1:111122223333:db:orders",
        Details: { AwsRdsDbInstance: { Engine: "postgres" } },
      },
      { type: "rds-db-instance", id: "orders", engine: "postgres" },
    ],
    [
      "AwsEc2Volume",
      { Id: "arn:aws:ec2:us-east-1:111122223333:volume/vol-0abc" },
      { type: "ebs-volume", id: "vol-0abc" },
    ],
    [
      "AwsKmsKey",
      { Id: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      { type: "kms-key", id: "1234abcd-12ab-34cd-56ef-1234567890ab" },
    ],
    [
      "AwsCloudTrailTrail",
      { Id: "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail" },
      { type: "cloudtrail-trail", id: "org-trail" },
    ],
    [
      "AwsWafv2WebAcl",
      {
        Id: "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/api-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
      },
      { type: "waf-web-acl", id: "api-acl", name: "api-acl" },
    ],
    [
      "AwsWafWebAcl",
      { Id: "arn:aws:waf::111122223333:webacl/e4f5a6b7-0000-1111-2222-EXAMPLE22222" },
      { type: "waf-web-acl", id: "e4f5a6b7-0000-1111-2222-EXAMPLE22222" },
    ],
    [
      "AwsAccount",
      { Id: "AWS::::Account:111111111111" },
      { type: "aws-account", id: "111111111111", accountId: "111111111111" },
    ],
    [
      "Container",
      { Id: "c0ffee", Details: { Container: { Name: "web", ImageName: "nginx:1.25" } } },
      { type: "container", id: "c0ffee", name: "web", image: "nginx:1.25" },
    ],
    [
      "AwsDynamoDbTable",
      { Id: "arn:aws:dynamodb:us-east-1:111122223333:table/orders" },
      {
        type: "other",
        id: "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
        sourceType: "AwsDynamoDbTable",
      },
    ],
  ])("reads %s", (type, resource, expected) => {
    // Act
    const { resources } = read([{ Type: type, Partition: "aws", ...resource }]);

    // Assess
    expect(resources).toHaveLength(1);
    expect(resourceSchema.parse(resources[0])).toEqual(resources[0]);
    expect(resources[0]).toMatchObject(expected);
  });

  it("honours Region, Partition and Tags", () => {
    // Act
    const { resources } = read([
      {
        Type: "AwsS3Bucket",
        Id: "cn-bucket",
        Partition: "aws-cn",
        Region: "cn-north-1",
        Tags: { team: "data" },
      },
    ]);

    // Assess
    expect(resources[0]).toMatchObject({
      type: "s3-bucket",
      id: "cn-bucket",
      arn: "arn:aws-cn:s3:::cn-bucket",
      region: "cn-north-1",
      tags: { team: "data" },
    });
  });

  it("reads every ingress range, IPv4 and IPv6, and leaves egress out", () => {
    // Act
    const { resources } = read([
      {
        Type: "AwsEc2SecurityGroup",
        Id: "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1",
        Details: {
          AwsEc2SecurityGroup: {
            GroupId: "sg-1",
            IpPermissions: [
              {
                IpProtocol: "tcp",
                FromPort: 22,
                ToPort: 22,
                IpRanges: [{ CidrIp: "203.0.113.0/24" }, { CidrIp: "0/0" }],
                Ipv6Ranges: [{ CidrIpv6: "0:0:0:0:0:0:0:0/0" }],
              },
            ],
            IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
          },
        },
      },
    ]);

    // Assess
    const group = resources[0]!;
    expect(group.type === "security-group" && group.ingress).toEqual([
      { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "203.0.113.0/24", worldOpen: false },
      { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0/0", worldOpen: true },
      { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0:0:0:0:0:0:0:0/0", worldOpen: true },
    ]);
  });

  it("reads ingress from the flattened Details.Other form", () => {
    // Act
    const { resources } = read([
      {
        Type: "AwsEc2SecurityGroup",
        Id: "arn:aws:ec2:us-west-2:111122223333:security-group/sg-2",
        Details: {
          Other: {
            groupId: "sg-2",
            groupName: "admin",
            "ipPermissions:0/ipProtocol": "tcp",
            "ipPermissions:0/fromPort": "3389",
            "ipPermissions:0/toPort": "3389",
            "ipPermissions:0/ipv4Ranges:0/cidrIp": "0.0.0.0/0",
            "ipPermissions:0/ipRanges:0": "0.0.0.0/0",
            "ipPermissions:1/ipProtocol": "tcp",
            "ipPermissions:1/ipv6Ranges:0/cidrIpv6": "::/0",
            "ipPermissionsEgress:0/ipRanges:0": "0.0.0.0/0",
          },
        },
      },
    ]);

    // Assess
    expect(resources[0]).toMatchObject({
      type: "security-group",
      id: "sg-2",
      name: "admin",
      ingress: [
        { protocol: "tcp", fromPort: 3389, toPort: 3389, cidr: "0.0.0.0/0", worldOpen: true },
        { protocol: "tcp", cidr: "::/0", worldOpen: true },
      ],
    });
  });

  it("skips resources it cannot identify, with a warning each", () => {
    // Act
    const { resources, warnings } = read([
      { Type: "AwsS3Bucket" },
      "bucket",
      { Type: "AwsS3Bucket", Id: "kept" },
    ]);

    // Assess
    expect(resources.map((r) => r.id)).toEqual(["kept"]);
    expect(warnings.map((w) => w.path)).toEqual(["$.Resources[0].Id", "$.Resources[1]"]);
  });
  it("reads a type named like an Object property (constructor, toString) as other", () => {
    // Act
    const { resources } = read([
      { Type: "Constructor", Id: "x-1" },
      { Type: "toString", Id: "x-2" },
    ]);

    // Assess
    expect(resources).toEqual([
      { type: "other", id: "x-1", sourceType: "Constructor" },
      { type: "other", id: "x-2", sourceType: "toString" },
    ]);
    for (const resource of resources) expect(resourceSchema.safeParse(resource).success).toBe(true);
  });

  it("maps the OCSF and odd spellings of a type to the same kind as its ASFF name", () => {
    // Act
    const { resources } = read([
      { Type: "AwsEc2SecurityGroup", Id: "sg-1" },
      { Type: "AWS::EC2::SecurityGroup", Id: "sg-2" },
      { Type: "awsec2securitygroup", Id: "sg-3" },
    ]);

    // Assess
    expect(resources.map((r) => r.type)).toEqual(["security-group", "security-group", "security-group"]);
  });
});
