/**
 * Operations: what runs on a schedule, and (below) what on-call watches. The refresh
 * schedule is an EventBridge rule on the default bus every 6 hours (README "Operations").
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface OperationsProps {
  scheduler: IFunction;
}

export class Operations extends Construct {
  readonly refreshSchedule: Rule;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.refreshSchedule = new Rule(this, 'RefreshSchedule', {
      description: 'gitlink: refresh links whose refresh token would expire soon (every 6 hours)',
      schedule: Schedule.rate(Duration.hours(6)),
      // No retry: a failed run is the alarm's business, and the next run picks up what it left.
      targets: [new LambdaFunction(props.scheduler, { retryAttempts: 0 })],
    });
  }
}
