/** TEMPORARY re-export until the lead's merge rewires its importers to src/config/connection.ts. Delete at merge. */
export * from './config/connection.js';
