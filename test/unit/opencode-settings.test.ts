/**
 * The worker's opencode settings from its environment, and what a turn hands opencode: config file, arguments,
 * environment.
 */
import { accessSync, constants } from 'node:fs';
import { opencodeEnv } from '../../src/activities/backends/opencode/data-dir.js';
import {
  conversationModel,
  opencodeConfig,
  opencodePermission,
  runArgs,
} from '../../src/activities/backends/opencode/run-config.js';
import { loadSettings } from '../../src/activities/backends/opencode/settings.js';
import { ConversationOptions } from '../../src/common/conversation.js';
import { ConfigError } from '../../src/config/env.js';

const options = (extra: Partial<ConversationOptions> = {}): ConversationOptions =>
  ConversationOptions.parse({ backend: 'opencode', cwd: '/srv/repo', ...extra });

test('defaults: the bundled binary, anthropic/claude-sonnet-4-5, the Anthropic API (or ANTHROPIC_BASE_URL + /v1), the relay on', () => {
  const plain = loadSettings({ PATH: process.env.PATH });
  expect(plain).toMatchObject({
    model: 'anthropic/claude-sonnet-4-5',
    baseUrl: 'https://api.anthropic.com/v1',
    relay: true,
  });
  expect(plain.path).toMatch(/opencode(\.exe)?$/);
  expect(() => accessSync(plain.path, constants.X_OK)).not.toThrow();

  const local = loadSettings({
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000/',
    CONVO_OPENCODE_RELAY: '0',
    OPENCODE_PATH: '/opt/oc',
  });
  expect(local).toMatchObject({ baseUrl: 'http://127.0.0.1:4000/v1', relay: false, path: '/opt/oc' });
  // Another provider: no base URL unless given.
  expect(loadSettings({ CONVO_OPENCODE_MODEL: 'openai/gpt-5' }).baseUrl).toBeUndefined();
  expect(
    loadSettings({ CONVO_OPENCODE_MODEL: 'openai/gpt-5', CONVO_OPENCODE_BASE_URL: 'https://llm.example/v1/' }).baseUrl,
  ).toBe('https://llm.example/v1');
});

test('a bad setting is refused naming the variable', () => {
  expect(() => loadSettings({ CONVO_OPENCODE_MODEL: 'sonnet' })).toThrow(
    new ConfigError(
      'invalid environment variable CONVO_OPENCODE_MODEL: must be provider/model, e.g. anthropic/claude-sonnet-4-5',
    ),
  );
  expect(() => loadSettings({ CONVO_OPENCODE_RELAY: 'maybe' })).toThrow(/CONVO_OPENCODE_RELAY/);
  expect(() => loadSettings({ CONVO_OPENCODE_BASE_URL: 'not a url' })).toThrow(/CONVO_OPENCODE_BASE_URL/);
});

test('the config file names model and base URL, never a credential', () => {
  const settings = {
    path: 'opencode',
    model: 'anthropic/claude-sonnet-4-5',
    baseUrl: 'https://api.anthropic.com/v1',
    relay: true,
  };
  const config = opencodeConfig(
    settings,
    options({ model: 'claude-opus-4-5', systemPrompt: 'Be terse.', allowedTools: ['Bash', 'Bash(git:*)', 'edit'] }),
    'http://127.0.0.1:5555/v1',
    '/t/instructions.md',
  );
  expect(config).toEqual({
    $schema: 'https://opencode.ai/config.json',
    model: 'anthropic/claude-opus-4-5',
    autoupdate: false,
    share: 'disabled',
    snapshot: false,
    provider: { anthropic: { options: { baseURL: 'http://127.0.0.1:5555/v1' } } },
    agent: { convo: { mode: 'primary', prompt: 'Be terse.' } },
    instructions: ['/t/instructions.md'],
    permission: { bash: 'allow', edit: 'allow' },
  });
  expect(conversationModel(settings, { model: 'openai/gpt-5' })).toBe('openai/gpt-5');
  expect(conversationModel(settings, {})).toBe('anthropic/claude-sonnet-4-5');
});

test('permission modes: plan is read-only, dontAsk allows only the allowed tools, acceptEdits allows edits', () => {
  expect(opencodePermission({})).toBeUndefined();
  expect(opencodePermission({ allowedTools: ['Bash(git:*)'] })).toBeUndefined();
  expect(opencodePermission({ permissionMode: 'plan', allowedTools: ['Bash'] })).toEqual({
    bash: 'deny',
    edit: 'deny',
    webfetch: 'deny',
  });
  expect(opencodePermission({ permissionMode: 'dontAsk', allowedTools: ['Bash'] })).toEqual({
    bash: 'allow',
    edit: 'deny',
    webfetch: 'deny',
  });
  expect(opencodePermission({ permissionMode: 'acceptEdits' })).toEqual({ edit: 'allow' });
  expect(opencodePermission({ permissionMode: 'bypassPermissions' })).toBeUndefined();
  const settings = { path: 'opencode', model: 'anthropic/claude-sonnet-4-5', relay: true };
  expect(opencodeConfig(settings, options({ permissionMode: 'plan' }), undefined).permission).toEqual({
    bash: 'deny',
    edit: 'deny',
    webfetch: 'deny',
  });
});

test('arguments: the first turn may name a title, later ones continue the session; the prompt is never an argument', () => {
  expect(runArgs(options({ title: 'T' }), undefined)).toEqual(['run', '--format', 'json', '--title', 'T']);
  expect(runArgs(options({ title: 'T', systemPrompt: 'x', permissionMode: 'bypassPermissions' }), 'ses_1')).toEqual([
    'run',
    '--format',
    'json',
    '--session',
    'ses_1',
    '--agent',
    'convo',
    '--auto',
  ]);
});

test("opencode's environment keeps the worker's credentials, points at the turn's data and config, and drops other sessions' pointers", () => {
  const env = opencodeEnv(
    {
      PATH: '/bin',
      ANTHROPIC_API_KEY: 'sk-ant-key',
      OPENCODE_DB: '/shared.db',
      OPENCODE_CONFIG_CONTENT: '{}',
      PWD: '/elsewhere',
    },
    '/turn/data',
    '/turn/opencode.json',
    '/srv/repo',
  );
  expect(env).toEqual({
    PATH: '/bin',
    ANTHROPIC_API_KEY: 'sk-ant-key',
    PWD: '/srv/repo',
    XDG_DATA_HOME: '/turn/data',
    OPENCODE_CONFIG: '/turn/opencode.json',
    OPENCODE_DISABLE_PROJECT_CONFIG: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_SHARE: '1',
  });
});
