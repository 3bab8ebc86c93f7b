export { decodeAttachment, decodeMessage, decodeMessageList, decodeUser } from './message.js';
export { DECODER_THREW, type Decoded, type Decoder, decodeWith, parseJsonText } from './primitives.js';
export {
  decodeApplicationCommand,
  decodeApplicationCommandIndex,
  decodeBody,
  decodeInteractionResponse,
  RESPONSE_DECODERS,
  type ResponseDecoders,
} from './responses.js';
