export { default } from './examples/qtool.config.mjs';
