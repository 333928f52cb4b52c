/**
 * The ledger's invariant audit (server/ledger/audit.ts), for the transports and tools that run
 * it: the HTTP route, the audit job, the command line, restore. They reach the ledger through
 * the services layer, as they reach every other table.
 */
export { auditAll, auditChannel, type AuditReport, type Violation } from '../ledger/audit.js';
