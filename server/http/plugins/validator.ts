/**
 * Two validation regimes, chosen by request part.
 *
 * - Bodies are strict: no type coercion and no silent stripping, so `"amount": "100"` or an
 *   unknown field is a 400 naming the field: bad input gets a clear error.
 *   Build body objects with `StrictObject` (additionalProperties: false).
 * - Params, querystring and headers arrive as strings by nature, so they are coerced to the
 *   schema's types (`?limit=10` → 10); unknown query fields are dropped where the schema closes them.
 *
 * Fastify's single Ajv instance cannot do both, so this factory builds one of each through
 * the same compiler Fastify uses (`@fastify/ajv-compiler`, a dependency of fastify itself).
 */
import { AjvCompiler, type BuildCompilerFromPool } from '@fastify/ajv-compiler';

type AjvCompilerOptions = Extract<NonNullable<Parameters<BuildCompilerFromPool>[1]>, { mode?: never }>;

export function splitValidatorFactory(): BuildCompilerFromPool {
  const pool = AjvCompiler();
  return (externalSchemas, ajvOptions) => {
    const base = { customOptions: {}, plugins: [], ...(ajvOptions as AjvCompilerOptions | undefined) };
    const strict = pool(externalSchemas, {
      ...base,
      customOptions: { ...base.customOptions, coerceTypes: false, removeAdditional: false, useDefaults: true },
    });
    const lenient = pool(externalSchemas, {
      ...base,
      customOptions: { ...base.customOptions, coerceTypes: 'array', removeAdditional: true, useDefaults: true },
    });
    // The published typings call the argument a schema; Fastify actually passes the route definition.
    type Compile = ReturnType<BuildCompilerFromPool>;
    const compile = (route: { httpPart?: string }) =>
      (route.httpPart === 'body' ? strict : lenient)(route as unknown as Parameters<Compile>[0]);
    return compile as unknown as Compile;
  };
}
