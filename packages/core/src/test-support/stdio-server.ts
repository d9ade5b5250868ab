// Test support: the fixture server as a stdio child process (`node --import tsx stdio-server.ts`).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createFixtureServer } from './fixture-server.js';

const fixture = createFixtureServer();
await fixture.connect(new StdioServerTransport());
