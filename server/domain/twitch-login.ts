/**
 * The one rule for a Twitch login, used wherever one is checked: REST routes, the overlay route,
 * the chat grammar, the command-line tools, the sign-in pages, configuration and imports.
 * Twitch itself hands out logins of 4 to 25 characters, but older accounts, existing data and the
 * test fixtures use 2- and 3-character names, so 2 is the floor; a single character is never a login.
 */
import { Type } from '@sinclair/typebox';

export const TWITCH_LOGIN_MIN = 2;
export const TWITCH_LOGIN_MAX = 25;

/** Lower case, as Twitch stores logins. */
export const TWITCH_LOGIN_PATTERN = `^[a-z0-9_]{${TWITCH_LOGIN_MIN},${TWITCH_LOGIN_MAX}}$`;
/** The same rule before lower-casing, for input people type (`Bob`). */
export const TWITCH_LOGIN_ANY_CASE_PATTERN = `^[A-Za-z0-9_]{${TWITCH_LOGIN_MIN},${TWITCH_LOGIN_MAX}}$`;

export const TWITCH_LOGIN = new RegExp(TWITCH_LOGIN_PATTERN);

export const isTwitchLogin = (value: string): boolean => TWITCH_LOGIN.test(value);

/** A Twitch login in a request or response schema. */
export const TwitchLogin = Type.String({ pattern: TWITCH_LOGIN_PATTERN, description: 'Twitch login, lower case' });
