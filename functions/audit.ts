/** `audit`: audit items for admins, newest first, paginated by Query (docs/events.md). Reads the table only. */
import { config } from '@shared/config';
import { tableDeps } from '@shared/deps';
import { listAudit } from '@shared/admin/audit';
import { AuditStore } from '@shared/events/audit';
import { makeHandler } from '@shared/http/handler';
import { json } from '@shared/http/reply';

const deps = tableDeps(config());
const audit = new AuditStore(deps.table);

export const handler = makeHandler('audit', {
  'GET /v1/admin/audit': async ({ query }) => json(200, await listAudit({ audit, now: deps.now }, query)),
});
