// The generated-client smoke test (tests/AgentHost.Tests/Server/GeneratedClientTests.cs): it uses only what
// @hey-api/openapi-ts generated from a running agent serve's /openapi.json (./client), so a change of the API
// document that breaks clients fails the type-check or this script. One JSON line per step on stdout.
import { client } from './client/client.gen';
import { closeSession, createSession, getHistory, getRun, listSessions, patchSessionSettings, sendMessage, streamSessionEvents } from './client/sdk.gen';
import type { HistoryView, RunView, SessionPage, SessionSettingsView, SessionView } from './client/types.gen';

// Node's process, without @types/node: the script needs only its environment.
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

async function main(): Promise<void> {
    const token = process.env.AGENT_SERVER_TOKEN;
    client.setConfig({ baseUrl: process.env.AGENT_SERVER_URL, auth: () => token });

    const session: SessionView = (await createSession({ body: { interactive: false, clientId: 'smoke/1' }, throwOnError: true })).data;
    // The server's own token is the built-in admin: its sessions have no owner (docs/server.md "Users and roles").
    const owner: string | null | undefined = session.owner;
    console.log(JSON.stringify({ step: 'createSession', id: session.id, status: session.status, owner: owner ?? null, clientId: session.clientId ?? null }));

    const run: RunView = (await sendMessage({
        path: { id: session.id },
        query: { wait: true },
        body: { prompt: 'hello from the generated client', maxSteps: 3 },
        throwOnError: true,
    })).data;
    const steps: number = run.steps;
    console.log(JSON.stringify({ step: 'sendMessage', runId: run.id, status: run.status, outcome: run.outcome, finalText: run.finalText, steps }));

    const again: RunView = (await getRun({ path: { runId: run.id }, throwOnError: true })).data;
    console.log(JSON.stringify({ step: 'getRun', status: again.status, finalText: again.finalText }));

    const history: HistoryView = (await getHistory({ path: { id: session.id }, query: { kind: 'messages' }, throwOnError: true })).data;
    console.log(JSON.stringify({ step: 'getHistory', messages: history.messages.map(m => ({ role: m.role, text: m.text })) }));

    // A prompt sent without waiting, its events read with the generated SSE function from the id the run was accepted after.
    const streamed: RunView = (await sendMessage({ path: { id: session.id }, body: { prompt: 'second, streamed' }, throwOnError: true })).data;
    const abort = new AbortController();
    const { stream } = await streamSessionEvents({ path: { id: session.id }, query: { after: String(streamed.eventsAfter) }, signal: abort.signal, sseMaxRetryAttempts: 1 });
    const types: string[] = [];
    let text = '';
    for await (const item of stream) {
        // The stream's schema is a string (text/event-stream); each event's data is the JSON of agent run -o json.
        const event = item as unknown as { type: string; runId?: string; status?: string; text?: string };
        types.push(event.type);
        text += event.type === 'message.delta' ? event.text ?? '' : '';
        if (event.type === 'run.ended' && event.runId === streamed.id) {
            break;
        }
    }

    abort.abort();
    console.log(JSON.stringify({ step: 'streamSessionEvents', types, text }));

    const page: SessionPage = (await listSessions({ query: { limit: 10 }, throwOnError: true })).data;
    console.log(JSON.stringify({ step: 'listSessions', ids: page.sessions.map(s => s.id) }));

    const settings: SessionSettingsView = (await patchSessionSettings({ path: { id: session.id }, body: { settings: { max_steps: '4' } }, throwOnError: true })).data;
    const closed: SessionView = (await closeSession({ path: { id: session.id }, throwOnError: true })).data;
    console.log(JSON.stringify({ step: 'settingsAndClose', maxSteps: settings.settings['max_steps'] ?? null, open: closed.open }));

    const missing = await getMissingRun(session.id + '-missing');
    console.log(JSON.stringify({ step: 'getRunMissing', status: missing.status, error: missing.error }));
}

/** An error answer through the generated types: the status and the API's error message. */
async function getMissingRun(runId: string): Promise<{ status: number; error: string }> {
    const result = await getRun({ path: { runId } });
    return { status: result.response?.status ?? 0, error: result.error?.error ?? '' };
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
