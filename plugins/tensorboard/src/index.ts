export { default } from './tensorboard.js';
export { tensorboardOptionsSchema, type TensorboardOptions } from './tensorboardOptions.js';
export { TensorboardReporter, type ReporterEvents } from './TensorboardReporter.js';
export { EventFileWriter, EVENT_FILE_VERSION } from './EventFileWriter.js';
export { encodeEvent, type EncodedImage, type SummaryValue } from './encodeEvent.js';
export { encodePng, type RawImage } from './encodePng.js';
export { frameRecord } from './frameRecord.js';
export { crc32c, maskedCrc32c } from './crc32c.js';
export { ProtoWriter } from './ProtoWriter.js';
