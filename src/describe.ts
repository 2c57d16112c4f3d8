/**
 * Names a received value for an error message ("got 42 (number)"), so a caller
 * sees what they passed without stepping through code. Never throws: a revoked proxy or a
 * throwing getter must not replace the error being reported.
 */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'undefined':
        return 'undefined';
      case 'string':
        return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} (string)`;
      case 'number':
      case 'bigint':
      case 'boolean':
      case 'symbol': // String, not a template, converts a symbol: "Symbol(id) (symbol)"
        return `${String(value)} (${typeof value})`;
      case 'function':
        return value.name ? `a function named ${value.name}` : 'a function';
      default:
        return describeObject(value as object | null);
    }
  } catch {
    return `a value that cannot be inspected (${typeof value})`;
  }
}

function describeObject(value: object | null): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null) return 'an object with a null prototype';
  const prototypeConstructor: unknown = (prototype as { constructor?: unknown }).constructor;
  const name = typeof prototypeConstructor === 'function' ? prototypeConstructor.name : '';
  return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
}
