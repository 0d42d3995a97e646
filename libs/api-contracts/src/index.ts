export * from './rest.js';
export * from './socket.js';
export * from './log-buffer.js';
export * from './continuous.js';
