export { ImageInputError, type ImageInputErrorCode, isImageInputError } from './errors.js';
export {
  DEFAULT_IMAGE_MAX_BYTES,
  type ImageInput,
  type ImageLoadOptions,
  type ImageUrlPolicy,
  type LoadedImage,
  loadImage,
  loadImages,
} from './image-source.js';
export { IMAGE_MIME, type ImageType, sniffImageType } from './sniff.js';
