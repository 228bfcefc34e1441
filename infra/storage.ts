/** Storage: the one DynamoDB table (ARCHITECTURE.md §4), built from shared/store/schema.ts so infra and code cannot drift. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableSchema } from '@shared/store/schema';

export interface StorageProps {
  deletionProtection: boolean;
}

export class Storage extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableSchema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSchema.sortKey, type: AttributeType.STRING },
      // Traffic is spiky and small (a git fetch here and there): pay per request.
      billingMode: BillingMode.PAY_PER_REQUEST,
      // DynamoDB deletes expired states lazily; code still checks `ttl` on every read (ARCHITECTURE.md §7).
      timeToLiveAttribute: tableSchema.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Secrets in items are already KMS ciphertext under the token key; the AWS-managed key
      // covers the rest without adding kms:* grants to every reader.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection,
      // Links and SSH keys cannot be recreated by redeploying: never delete with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // gsi2 came later (refresh due dates, audit by provider): CloudFormation adds one GSI per update.
    for (const gsi of [tableSchema.gsi1, tableSchema.gsi2]) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
