// @mcp-interceptors/core/options: the option checks the built-in factories use, for writing your own interceptor
// factories (and the presets and http packages) with the same messages: `factory.option must be …, got …`.
export {
  boolean,
  clock,
  fn,
  isPlainObject,
  MAX_TIMER_MS,
  nonNegativeInt,
  nonNegativeNumber,
  oneOf,
  optionsObject,
  positiveInt,
  positiveNumber,
  priority,
  ratio,
  record,
  show,
  string,
  stringList,
  timerMs,
} from './internal/options.js';
