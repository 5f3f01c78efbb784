import type { FileMetaData, SchemaTree } from 'hyparquet';
import { parquetSchema } from 'hyparquet';

/** What a top-level column holds, as far as the SDXL data path cares. */
export type ColumnKind = 'image' | 'string' | 'string-list' | 'other';

/** A top-level parquet column: its kind and a short description of its type for messages. */
export interface ParquetColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly type: string;
}

/**
 * The `features` 🤗 datasets stores in the `huggingface` key-value metadata of every parquet file it writes
 * (`{"info": {"features": {"image": {"_type": "Image"}, "text": {"dtype": "string", "_type": "Value"}}}}`).
 */
export function huggingfaceFeatures(metadata: FileMetaData): Record<string, unknown> | undefined {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface');
  if (entry?.value === undefined) return undefined;
  try {
    const parsed = JSON.parse(entry.value) as { info?: { features?: unknown }; features?: unknown };
    const features = parsed.info?.features ?? parsed.features;
    return typeof features === 'object' && features !== null ? (features as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The top-level columns of a parquet file, classified by the 🤗 features when present, else by the schema. */
export function parquetColumns(metadata: FileMetaData): ParquetColumn[] {
  const features = huggingfaceFeatures(metadata);
  return parquetSchema(metadata).children.map((node) => {
    const feature = features?.[node.element.name];
    return { name: node.element.name, kind: classify(node, feature), type: describe(node, feature) };
  });
}

function classify(node: SchemaTree, feature: unknown): ColumnKind {
  const type = featureType(feature);
  if (type === 'Image') return isBinary(node) || hasBytesChild(node) ? 'image' : 'other';
  if (type === 'Value') return isString(node) ? 'string' : 'other';
  if (type === 'Sequence' || type === 'List' || type === 'LargeList') return isStringList(node) ? 'string-list' : 'other';
  if (type !== undefined) return 'other';
  if (hasBytesChild(node)) return 'image';
  if (isString(node)) return 'string';
  if (isStringList(node)) return 'string-list';
  return isBinary(node) ? 'image' : 'other';
}

function featureType(feature: unknown): string | undefined {
  if (typeof feature !== 'object' || feature === null) return undefined;
  const type = (feature as { _type?: unknown })._type;
  return typeof type === 'string' ? type : undefined;
}

function isString(node: SchemaTree): boolean {
  const e = node.element;
  return node.children.length === 0 && e.type === 'BYTE_ARRAY' && (e.converted_type === 'UTF8' || e.logical_type?.type === 'STRING');
}

function isBinary(node: SchemaTree): boolean {
  return node.children.length === 0 && node.element.type === 'BYTE_ARRAY' && !isString(node);
}

function hasBytesChild(node: SchemaTree): boolean {
  return node.children.some((child) => child.element.name === 'bytes' && child.element.type === 'BYTE_ARRAY');
}

function isStringList(node: SchemaTree): boolean {
  // why: the standard 3-level LIST: `<name> (LIST) { repeated group list { element } }` (pyarrow writes this).
  if (node.element.converted_type !== 'LIST' && node.element.logical_type?.type !== 'LIST') return false;
  const repeated = node.children[0];
  const leaf = repeated?.children.length === 1 ? repeated.children[0] : repeated;
  return leaf !== undefined && isString(leaf);
}

function describe(node: SchemaTree, feature: unknown): string {
  const type = featureType(feature);
  if (type === 'Value') return `Value(${String((feature as { dtype?: unknown }).dtype)})`;
  if (type !== undefined) return type;
  if (node.children.length > 0) return `${node.element.converted_type ?? 'struct'}<${node.children.map((c) => c.element.name).join(', ')}>`;
  return node.element.converted_type ?? node.element.type ?? 'unknown';
}
