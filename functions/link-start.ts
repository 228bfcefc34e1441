/** `link-start`: see DESIGN §3b. Routes without an action answer 501 until their issue lands. */
import { makeHandler } from '../shared/http/handler';

export const handler = makeHandler('link-start', {});
