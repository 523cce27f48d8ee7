using System.Globalization;
using System.Runtime.InteropServices;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Chat;

/// <summary>
/// The terminal's extended keyboard modes, and the keys they send that <see cref="Console.ReadKey(bool)"/> does not
/// decode. With xterm's modifyOtherKeys (<c>CSI &gt; 4 ; 1 m</c>) or the kitty keyboard protocol (<c>CSI &gt; 1 u</c>)
/// a terminal tells Shift+Enter from Enter: it sends <c>CSI 13 ; 2 u</c> (kitty, and tmux with <c>extended-keys</c>)
/// or <c>CSI 27 ; 2 ; 13 ~</c> (xterm). .NET passes such a sequence on as an Escape key followed by its characters;
/// <see cref="Decode"/> turns the characters after the Escape back into one key.
/// </summary>
internal static class TerminalKeys
{
    private static readonly Lock Sync = new();
    private static TerminalWriter? _enabledOn;

    /// <summary>
    /// Turns the extended modes on at <paramref name="terminal"/> until <see cref="Restore"/>; the terminal is also
    /// restored when the process exits (also after an unhandled exception or a second Ctrl+C).
    /// </summary>
    public static void Start(TerminalWriter terminal)
    {
        lock (Sync)
        {
            if (_enabledOn is null)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Restore();
                AppDomain.CurrentDomain.UnhandledException += (_, _) => Restore();
            }

            _enabledOn = terminal;
            terminal.Write(TerminalControl.ExtendedKeys);
        }
    }

    /// <summary>Turns the extended modes off again (once; later calls do nothing).</summary>
    public static void Restore()
    {
        lock (Sync)
        {
            if (_enabledOn is { } terminal)
            {
                _enabledOn = null;
                try
                {
                    terminal.Write(TerminalControl.PlainKeys);
                }
                catch (IOException)
                {
                    // the terminal is gone
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="key"/> is what <see cref="Console.ReadKey(bool)"/> returns when the terminal has hung up
    /// (its window closed, the connection dropped): the read found the end of input, which a terminal in the raw mode
    /// .NET reads keys in gives only then, and .NET returns the end-of-file control character (<c>^D</c>, or whatever
    /// <c>stty eof</c> set) with no key. A key pressed always has its key: Ctrl+D is <see cref="ConsoleKey.D"/> with Control.
    /// </summary>
    /// <param name="key">The key read.</param>
    public static bool IsEndOfInput(ConsoleKeyInfo key) =>
        key.Key == default && key.Modifiers == default && key.KeyChar is >= '\u0001' and <= '\u001a';

    /// <summary>
    /// Decodes the characters that followed an Escape (<c>[13;2u</c>, <c>[27;2;13~</c>, <c>[9;2u</c>): the key, or
    /// <see langword="null"/> for a sequence that is not a key the editor uses.
    /// </summary>
    public static ConsoleKeyInfo? Decode(string sequence)
    {
        if (sequence.Length < 3 || sequence[0] != '[')
        {
            return null;
        }

        var final = sequence[^1];
        var parts = sequence[1..^1].Split(';');
        int code;
        int modifiers;
        if (final == 'u' && parts.Length is 1 or 2)
        {
            // kitty: CSI code[:alternates] [; modifiers[:event]] u
            if (!TryNumber(parts[0].Split(':')[0], out code))
            {
                return null;
            }

            modifiers = 1;
            if (parts.Length == 2 && !TryNumber(parts[1].Split(':')[0], out modifiers))
            {
                return null;
            }
        }
        else if (final == '~' && parts.Length == 3 && parts[0] == "27")
        {
            // xterm modifyOtherKeys: CSI 27 ; modifiers ; code ~
            if (!TryNumber(parts[1], out modifiers) || !TryNumber(parts[2], out code))
            {
                return null;
            }
        }
        else
        {
            return null;
        }

        var bits = Math.Max(0, modifiers - 1);
        var shift = (bits & 1) != 0;
        var alt = (bits & 2) != 0;
        var control = (bits & 4) != 0;
        ConsoleKey key;
        var character = (char)code;
        switch (code)
        {
            case 13:
                key = ConsoleKey.Enter;
                break;
            case 9:
                key = ConsoleKey.Tab;
                break;
            case 27:
                key = ConsoleKey.Escape;
                break;
            case 8 or 127:
                key = ConsoleKey.Backspace;
                character = '\b';
                break;
            case 32:
                key = ConsoleKey.Spacebar;
                break;
            case >= 'a' and <= 'z':
                key = ConsoleKey.A + (code - 'a');
                character = control ? (char)(code - 'a' + 1) : shift ? char.ToUpperInvariant((char)code) : (char)code;
                break;
            case >= '0' and <= '9':
                key = ConsoleKey.D0 + (code - '0');
                break;
            case > 32 and < 0xD800:
                key = default;
                break;
            default:
                return null;
        }

        return new ConsoleKeyInfo(character, key, shift, alt, control);
    }

    /// <summary>Lets the Windows console interpret escape sequences (virtual terminal processing) on standard output.</summary>
    /// <returns>Whether it is on (always <see langword="true"/> elsewhere).</returns>
    public static bool EnableVirtualTerminal()
    {
        if (!OperatingSystem.IsWindows())
        {
            return true;
        }

        const int StandardOutput = -11;
        const uint VirtualTerminalProcessing = 0x0004;
        var handle = GetStdHandle(StandardOutput);
        if (handle == IntPtr.Zero || handle == new IntPtr(-1) || GetConsoleMode(handle, out var mode) == 0)
        {
            return false;
        }

        return (mode & VirtualTerminalProcessing) != 0 || SetConsoleMode(handle, mode | VirtualTerminalProcessing) != 0;
    }

    private static bool TryNumber(string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    [DllImport("kernel32.dll")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    private static extern IntPtr GetStdHandle(int handle);

    [DllImport("kernel32.dll")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    private static extern int GetConsoleMode(IntPtr handle, out uint mode);

    [DllImport("kernel32.dll")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    private static extern int SetConsoleMode(IntPtr handle, uint mode);
}
