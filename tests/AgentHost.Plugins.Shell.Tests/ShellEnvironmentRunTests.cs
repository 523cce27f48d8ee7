using System.Text.Json;
using AgentHost.Tests.GitTools;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Shell.Tests;

/// <summary>
/// The environment of what the model drives in the CLI (docs/tools-shell.md "Environment"), through a real
/// <c>agent run</c>: the shell tool's commands and a workflow shell node get the user's environment without the
/// agent's own settings (<c>AGENT_*</c>) and secret-named variables, except those <c>shell.environment.include</c>
/// names; a hook the user configured keeps the user's environment.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ShellEnvironmentRunTests : IDisposable
{
    private const string Included = "ghp-included-on-purpose-1188";
    private const string NpmToken = "npm-secret-token-4477";
    private const string ApiKey = "my-api-key-value-9021";
    private const string DbPassword = "db-password-value-3390";
    private const string Plain = "plain-visible-value-2204";

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [UnixFact("POSIX shell command lines (printenv, rev)")]
    public async Task AgentRun_ModelsCommandsGetNoAgentSettingsNorSecretNamedVariables_ButTheIncludedOnes_HooksKeepTheUsersEnvironment()
    {
        _ws.WriteUserConfig($$"""
            shell:
              environment:
                include: [GITHUB_TOKEN]
            hooks:
              UserPromptSubmit:
                - matcher: ""
                  hooks:
                    - type: command
                      command: {{JsonSerializer.Serialize("printenv NPM_TOKEN > hook-env.txt; exit 0")}}
            """);
        File.WriteAllText(Path.Combine(_ws.Root, "env.yaml"), """
            name: env
            nodes:
              - id: dump
                kind: shell
                command: printenv | rev > workflow-env.txt
            """);
        var environment = Environment();
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "printenv | rev > shell-env.txt; printenv NPM_TOKEN | rev >> shell-env.txt" } }]
              - text: done
            """);

        var run = await AgentProcess.RunAsync(_ws.Root, environment, ["run", "go", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "--permission-mode", "yolo", "-o", "json"]);
        var trusted = await _ws.RunAsync("trust");
        var workflow = await AgentProcess.RunAsync(_ws.Root, environment, ["workflow", "run", "env.yaml", "--plugin", "shell"]);

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        Assert.True(trusted.ExitCode == 0, trusted.Error + trusted.Output);
        Assert.True(workflow.ExitCode == 0, workflow.Error + workflow.Output);
        foreach (var file in new[] { "shell-env.txt", "workflow-env.txt" })
        {
            var text = string.Join('\n', File.ReadAllText(Path.Combine(_ws.Root, file)).Split('\n').Select(line => new string([.. line.Reverse()])));
            Assert.False(text.Contains(NpmToken, StringComparison.Ordinal), $"{file}: NPM_TOKEN reached the model's command:\n{text}");
            Assert.False(text.Contains(ApiKey, StringComparison.Ordinal), $"{file}: MY_API_KEY reached the model's command:\n{text}");
            Assert.False(text.Contains(DbPassword, StringComparison.Ordinal), $"{file}: db_password reached the model's command:\n{text}");
            Assert.DoesNotContain("AGENT_HOME=", text, StringComparison.Ordinal);
            Assert.DoesNotContain("AGENT_LOG_LEVEL=", text, StringComparison.Ordinal);
            Assert.Contains("GITHUB_TOKEN=" + Included, text, StringComparison.Ordinal);
            Assert.Contains("PLAIN_SETTING=" + Plain, text, StringComparison.Ordinal);
            Assert.Contains("\nPATH=/", "\n" + text, StringComparison.Ordinal);
            Assert.Contains("\nHOME=", "\n" + text, StringComparison.Ordinal);
        }

        // The hook is the user's own: it keeps the user's environment.
        Assert.Equal(NpmToken, File.ReadAllText(Path.Combine(_ws.Root, "hook-env.txt")).Trim());
    }

    [UnixFact("POSIX shell command lines and a shell-script editor")]
    public async Task AgentRun_GitCommitWithoutMessage_AndInteractiveRebase_EndWithoutAnEditor_WhateverTheRepositoryOrUserConfigures()
    {
        // The repository and the user both name an editor and a pager that would wait: the shell tool's environment wins.
        GitPluginFixture.RunGit(_ws.Root, "init", "-q", "-b", "main");
        var trap = "touch \"" + Path.Combine(_ws.Root, "editor-ran") + "\"; sleep 600";
        foreach (var key in new[] { "core.editor", "sequence.editor", "core.pager" })
        {
            GitPluginFixture.RunGit(_ws.Root, "config", key, trap);
        }

        GitPluginFixture.RunGit(_ws.Root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first");
        GitPluginFixture.RunGit(_ws.Root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "second");
        var environment = _ws.Environment;
        environment["EDITOR"] = "vi";
        environment["VISUAL"] = "vi";
        environment["PAGER"] = "less";
        environment["GIT_AUTHOR_NAME"] = environment["GIT_COMMITTER_NAME"] = "T";
        environment["GIT_AUTHOR_EMAIL"] = environment["GIT_COMMITTER_EMAIL"] = "t@example.com";
        var script = _ws.WriteScript("""
            turns:
              - tool_calls:
                  - name: shell
                    arguments: { command: "printf '%s|' \"$GIT_EDITOR\" \"$GIT_SEQUENCE_EDITOR\" \"$EDITOR\" \"$VISUAL\" \"$GIT_PAGER\" \"$PAGER\"; echo", timeout_ms: 60000 }
                  - name: shell
                    arguments: { command: "git commit --allow-empty; echo commit-exit=$?", timeout_ms: 60000 }
                  - name: shell
                    arguments: { command: "git rebase -i --root; echo rebase-exit=$?", timeout_ms: 60000 }
              - expect:
                  tool_results_contain: ["true|true|true|true|cat|cat|", "Aborting commit due to empty commit message", "commit-exit=1", "rebase-exit=0"]
                text: done
            """);

        var run = await AgentProcess.RunAsync(_ws.Root, environment, ["run", "go", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "--permission-mode", "yolo", "-o", "json"]);

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "editor-ran")), "an editor ran: " + run.Output);
        Assert.Equal("second", GitPluginFixture.RunGit(_ws.Root, "log", "-1", "--format=%s").Output.Trim());
    }

    private Dictionary<string, string> Environment()
    {
        var environment = _ws.Environment;
        environment["GITHUB_TOKEN"] = Included;
        environment["NPM_TOKEN"] = NpmToken;
        environment["MY_API_KEY"] = ApiKey;
        environment["db_password"] = DbPassword;
        environment["PLAIN_SETTING"] = Plain;
        environment["AGENT_LOG_LEVEL"] = "warning";
        return environment;
    }
}
