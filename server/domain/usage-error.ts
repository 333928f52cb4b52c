/**
 * A mistake of the operator's (bad arguments, a missing setting, an unreadable file): the tools
 * print its message as is, without a stack. It lives in the domain because the backup and import
 * modules raise it as well as the command-line tools that show it.
 */
export class UsageError extends Error {}
