namespace DurableEval.Evaluation;

/// <summary>
/// Keeps secrets out of every format: any text in the report model that contains the value of a secret-bearing
/// environment variable (API keys, TLS keys and certificates, their paths, passwords, tokens) has it replaced by
/// "[redacted NAME]". Applied to the model once, before any renderer sees it, so no format can leak what another hides.
/// </summary>
public static class Redaction
{
    private static readonly string[] SecretMarkers = ["API_KEY", "TLS", "PASSWORD", "SECRET", "TOKEN", "PRIVATE", "_KEY", "CREDENTIAL"];

    /// <summary>The variables whose values must never be printed, with every form the value may take in a one-line text.</summary>
    public static IReadOnlyList<(string Name, string Value)> SecretsIn(IReadOnlyDictionary<string, string> environment) =>
        environment
            .Where(e => SecretMarkers.Any(m => e.Key.Contains(m, StringComparison.OrdinalIgnoreCase)) && e.Value.Trim().Length >= 4)
            .SelectMany(e => Forms(e.Value).Select(form => (e.Key, form)))
            .OrderByDescending(s => s.form.Length)
            .ToList();

    public static string Apply(string text, IReadOnlyList<(string Name, string Value)> secrets)
    {
        foreach (var (name, value) in secrets)
        {
            text = text.Replace(value, $"[redacted {name}]", StringComparison.Ordinal);
        }

        return text;
    }

    public static EvaluationReport Apply(EvaluationReport report, IReadOnlyList<(string Name, string Value)> secrets)
    {
        if (secrets.Count == 0)
        {
            return report;
        }

        string R(string text) => Apply(text, secrets);
        var e = report.Environment;
        return report with
        {
            Environment = new EnvironmentInfo(R(e.Sdk), R(e.Servers), R(e.Persistence), R(e.Isolation), R(e.OperatingSystem), R(e.Architecture), R(e.DotNet)),
            Results = report.Results.Select(r => r with
            {
                Fact = r.Fact with { Message = R(r.Fact.Message) },
                Rating = r.Rating with { Reason = R(r.Rating.Reason) },
                Evidence = r.Evidence is not { } ev ? null : ev with
                {
                    Checks = ev.Checks.Select(c => c with { Detail = R(c.Detail), Server = Server(c.Server, R) }).ToList(),
                    Findings = ev.Findings.Select(R).ToList(),
                    Citations = ev.Citations.Select(c => new Citation(R(c.Statement), R(c.Source))).ToList(),
                    Server = Server(ev.Server, R),
                },
            }).ToList(),
        };
    }

    private static ServerInfo? Server(ServerInfo? server, Func<string, string> redact) =>
        server is null ? null : new ServerInfo(redact(server.Kind), redact(server.Version), redact(server.Isolation));

    // The value as set, trimmed, on one line (texts are flattened before they are stored), and each long line of a
    // multi-line value such as PEM data.
    private static IEnumerable<string> Forms(string value)
    {
        var trimmed = value.Trim();
        var forms = new HashSet<string>(StringComparer.Ordinal) { value, trimmed, trimmed.ReplaceLineEndings(" ") };
        foreach (var line in trimmed.Split('\n', '\r'))
        {
            if (line.Trim().Length >= 8)
            {
                forms.Add(line.Trim());
            }
        }

        return forms.Where(f => f.Length >= 4);
    }
}
