/**
 * Events: the custom EventBridge bus that carries gitlink's lifecycle events (docs/events.md).
 * Other systems subscribe with their own rules on it (`source: gitlink`), so nothing
 * here needs to know them.
 */
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export class Events extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A generated name: two gitlink stacks in one account and region get two buses.
    this.bus = new EventBus(this, 'Bus', { description: 'gitlink lifecycle events (source: gitlink)' });
  }
}
