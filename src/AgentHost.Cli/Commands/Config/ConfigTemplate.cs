using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli.Commands.Config;

/// <summary>
/// The commented <c>config.yaml</c> <c>agent config init</c> writes. Prose lines start with <c>##</c>; each example
/// setting is one <c># </c> away from being used, and uncommenting all of them gives a valid file (a test checks it).
/// </summary>
internal static class ConfigTemplate
{
    public const string Text = ConfigJsonSchema.Modeline + "\n" + Body;

    private const string Body = """
        ## AgentHost configuration (docs/configuration.md). Every setting below is commented out, so the built-in
        ## defaults apply: remove the '# ' before a line to use it. Check the file with 'agent config validate',
        ## the whole installation with 'agent doctor'; 'agent config show' says where each value comes from.
        ## A project's own settings go in its .agent/config.yaml (they apply fully once you run 'agent trust' there).

        ## The model of new sessions (provider/model) and an optional small one for titles and --prefer fast.
        # model: openai/gpt-4o
        # small_model: openai/gpt-4o-mini

        ## Providers. A hosted service's key comes from ONE of: api_key_env (a variable), api_key_file,
        ## api_key_command (a command that prints it; '$(...)' inside api_key is not run) or 'agent auth login NAME'.
        ## OPENAI_API_KEY / ANTHROPIC_API_KEY are read without any setting.
        # providers:
        #   openai:
        #     api_key_env: OPENAI_API_KEY
        #   anthropic:
        #     api_key_command: pass show anthropic
        #   local:
        #     type: openai
        #     base_url: http://127.0.0.1:8080/v1
        #     models:
        #       - { id: qwen2.5-coder, context_window: 32768, input_price: 0, output_price: 0 }

        ## What runs without asking: ask, accept-edits, plan, yolo or dont-ask (docs/permissions.md).
        # permissions:
        #   mode: ask
        #   allow: [view, grep, "shell(git status*)"]
        #   deny: ["shell(rm -rf *)"]

        ## The operating-system sandbox around shell commands: auto, required or off (docs/sandbox.md).
        # sandbox:
        #   mode: auto

        ## Defaults of every session (docs/sessions.md).
        # session:
        #   max_steps: 50
        #   retention_days: 90

        ## The plugins every run loads, and their settings (docs/plugins.md, docs/tools-git.md).
        # plugins:
        #   defaults: [files, shell, git, web]
        #   settings:
        #     git:
        #       attribution: assisted-by
        #       generated_with: true

        ## How much the host logs: trace, debug, information, warning, error or none.
        # log_level: information

        """;
}
