// serialize-javascript ships no types; the benchmark uses its one documented call.
declare module 'serialize-javascript' {
  export default function serialize(value: unknown, options?: { space?: number; isJSON?: boolean; unsafe?: boolean; ignoreFunction?: boolean }): string;
}
