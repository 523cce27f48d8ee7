using System.Text;
using AgentHost.Agent.Memory;
using AgentHost.Agent.Skills;
using AgentHost.Cli.Commands.Init;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <content>The project commands: skills, skill, memory (AGENTS.md), init.</content>
internal sealed partial class ChatCommands
{
    /// <summary>The project's memory file that <c>/memory TEXT</c> and <c>/init</c> write.</summary>
    private const string MemoryFileName = "AGENTS.md";

    private void AddProjectCommands()
    {
        var console = _host.Output;
        Add(new SlashCommand("skills", "/skills", "The skills found (project, user, plugins, built-in) with their source; /skill NAME uses one.", async (_, _) =>
        {
            if (await _host.State.Session.GetSkillsAsync().ConfigureAwait(false) is not { } skills)
            {
                console.WriteInfo("skills are turned off (skills.enabled: false).");
                return SlashOutcome.Done;
            }

            var (catalog, active) = skills;

            var usable = catalog.Available;
            if (usable.Count == 0)
            {
                console.WriteInfo("no skills found. Create one with 'agent skill new NAME' (in .agents/skills/); docs/skills.md says where skills are looked for.");
                return SlashOutcome.Done;
            }

            var width = usable.Max(s => s.Name.Length);
            foreach (var skill in usable)
            {
                var notes = new List<string> { skill.SourceName };
                if (active.Contains(skill.Name))
                {
                    notes.Add("active");
                }

                if (skill.Document is { UserInvocable: false })
                {
                    notes.Add("model only");
                }
                else if (skill.Document is { DisableModelInvocation: true })
                {
                    notes.Add("user only");
                }

                var description = skill.Description.ReplaceLineEndings(" ");
                console.WriteInfo($"  {skill.Name.PadRight(width)}  {string.Join(", ", notes),-18}  {(description.Length > 70 ? description[..70] + "…" : description)}");
            }

            if (catalog.All.Count > usable.Count)
            {
                console.WriteInfo($"  ({catalog.All.Count - usable.Count} more with problems or shadowed: 'agent skill list' shows them)");
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("skill", "/skill NAME [request]", "Activate a skill (its instructions go to the model) and send the request, or ask the model to use it.", async (args, _) =>
        {
            var space = args.IndexOf(' ', StringComparison.Ordinal);
            var (name, request) = space < 0 ? (args, string.Empty) : (args[..space], args[(space + 1)..].Trim());
            if (name.Length == 0)
            {
                throw new AgentHostException(ErrorKind.Usage, "/skill NAME [request]: name the skill (/skills lists them).");
            }

            var catalog = (await _host.State.Session.GetSkillsAsync().ConfigureAwait(false))?.Catalog
                ?? throw new AgentHostException(ErrorKind.Configuration, "/skill: skills are turned off (skills.enabled: false).");

            var invocable = catalog.Available.Where(s => s.Document!.UserInvocable).Select(s => s.Name).ToList();
            var skill = catalog.Find(name);
            if (skill is not { IsUsable: true } || !skill.Document!.UserInvocable)
            {
                throw new AgentHostException(ErrorKind.NotFound, skill is { IsUsable: true }
                    ? $"/skill {name}: the skill is not user-invocable (user-invocable: false in {skill.File}); the model activates it when it applies."
                    : $"/skill {name}: no usable skill of that name. {(invocable.Count > 0 ? "Skills you can use: " + string.Join(", ", invocable) : "No skills are found")} (/skills lists them).");
            }

            // The host's activation for a person's request (agent run --skill): the skill's content goes before the prompt.
            return new SlashOutcome(Prompt: request.Length > 0 ? request : $"Use the {skill.Name} skill for this project.", Skills: [skill.Name]);
        }));
        Add(new SlashCommand("memory", "/memory [text]", "Show the memory files (AGENTS.md…) in effect, or add a line to the project's AGENTS.md.", async (args, ct) =>
        {
            var state = _host.State;
            var root = state.Options.WorkspaceRoot;
            if (args.Length > 0)
            {
                var path = Path.Combine(root, MemoryFileName);
                var existed = File.Exists(path);
                var before = existed ? await File.ReadAllTextAsync(path, ct).ConfigureAwait(false) : string.Empty;
                var separator = before.Length == 0 || before.EndsWith('\n') ? string.Empty : "\n";
                await File.AppendAllTextAsync(path, separator + args.ReplaceLineEndings(" ") + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), ct).ConfigureAwait(false);
                console.WriteInfo($"{(existed ? "added a line to" : "created")} {path}. This session's prompt keeps the memory it read at its first turn; the next session (/new) reads the line.");
                return SlashOutcome.Done;
            }

            if (ProjectMemoryRun.Load(state.Configuration, _host.Context.Environment, root) is not var (_, memory))
            {
                console.WriteInfo($"project memory is turned off ({ProjectMemoryRun.EnabledKey}: false).");
                return SlashOutcome.Done;
            }

            if (memory.Files.Count == 0 && memory.NestedFolders.Count == 0)
            {
                console.WriteInfo($"no memory files are in effect. /memory TEXT starts {Path.Combine(root, MemoryFileName)}; /init writes a starter one from the repository.");
            }

            foreach (var file in memory.Files)
            {
                console.WriteInfo($"  {file.FullPath}  ({file.Content.Length:N0} characters{(file.Truncated ? $", cut from {file.OriginalCharacters:N0}" : string.Empty)})");
            }

            foreach (var folder in memory.NestedFolders)
            {
                console.WriteInfo($"  {folder.FullPath}{Path.DirectorySeparatorChar}{{{string.Join(",", folder.FileNames)}}}  (applies when the model works in that folder)");
            }

            foreach (var warning in memory.Warnings)
            {
                console.WriteInfo("warning: " + warning);
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("init", "/init [--force]", "Write a starter AGENTS.md from the repository (languages, layout, build and test commands), as 'agent init' does.", async (args, ct) =>
        {
            var root = _host.State.Options.WorkspaceRoot;
            var target = Path.Combine(root, MemoryFileName);
            if (File.Exists(target) && !args.Split(' ').Contains("--force"))
            {
                throw new AgentHostException(ErrorKind.Usage, $"{target} already exists; /init does not overwrite it. /init --force replaces it; /memory TEXT adds a line to it.");
            }

            var (files, fromGit) = await InitRepositoryFiles.ListAsync(root, ct).ConfigureAwait(false);
            var facts = InitInspector.Inspect(root, files, fromGit);
            await File.WriteAllTextAsync(target, InitWriter.Write(facts), ct).ConfigureAwait(false);
            console.WriteInfo($"wrote {target}: {facts.Languages.Count} language(s), {facts.Commands.Count} command(s), {facts.Workflows.Count} CI workflow(s), {facts.Conventions.Count} convention(s) found. Review and edit it; the next session (/new) reads it.");
            return SlashOutcome.Done;
        }));
    }
}
