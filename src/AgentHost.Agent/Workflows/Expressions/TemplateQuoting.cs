namespace AgentHost.Agent.Workflows.Expressions;

/// <summary>How <see cref="WorkflowTemplate.Render"/> quotes inserted values.</summary>
internal enum TemplateQuoting
{
    /// <summary>Values are inserted as they are (prompts, questions, outputs).</summary>
    None,

    /// <summary>Every value not written <c>| raw</c> is quoted for the current OS's shell (shell node commands).</summary>
    Shell,

    /// <summary>Quoted for <c>/bin/sh</c>: single quotes, an inner quote written <c>'\''</c>.</summary>
    Posix,

    /// <summary>Quoted for <c>cmd.exe</c>: double quotes, an inner quote doubled.</summary>
    Cmd,
}
