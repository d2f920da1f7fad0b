namespace DurableEval.Tests.Reliability;

/// <summary>
/// The shape of one worker-kill run. Defaults: 50 workflows of 5 steps, 3 kills, steps of 250 ms real work so a
/// kill lands mid-step, and timeouts short enough that work lost with a worker is retried within seconds.
/// </summary>
public sealed record KillProtocolOptions
{
    public int Workflows { get; init; } = 50;

    public int Steps { get; init; } = 5;

    public int Kills { get; init; } = 3;

    /// <summary>
    /// Real time each step works before its effect: long enough that a kill taken a moment after the journal
    /// showed a step in flight still finds it there on a loaded machine (at 40 ms about half the kills missed on
    /// this 2-core machine under a load of 40-50, and at 100 ms still some), and far below the step timeout.
    /// </summary>
    public int WorkMilliseconds { get; init; } = 250;

    /// <summary>
    /// Activity start-to-close timeout: how soon the server gives up on a step whose worker was killed. Real time
    /// on the time-skipping server too (a pending activity locks skipping). It must exceed the slowest step of a
    /// live worker by far, or the server retries steps no kill interrupted: at 2 s, a run on this 2-core machine
    /// under a load of 50 saw such retries and workflow tasks expiring faster than a starved worker finished them.
    /// Every landed kill waits this out once (all of it waiting), so it is most of a run's time: 5 s gave 3 kills x
    /// 5.2 s of recovery in a 25 s EX-01. The kill-protocol facts now run alone (RunAlone), never beside other
    /// facts, and the slowest live step measured 352 ms at a machine load of 35-45: 3 s keeps an 8x margin.
    /// </summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Workflow task timeout: how soon a workflow task held by a killed worker is handed out again (waited
    /// out beside the step timeout after a kill, so no shorter than a starved worker needs, as above).</summary>
    public TimeSpan WorkflowTaskTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Workers keep a workflow cache (sticky queues); only on servers that fall back from a dead one.</summary>
    public bool Cache { get; init; }

    /// <summary>The kill schedule's seed; null draws one, which the observation records so the run can be repeated.</summary>
    public int? Seed { get; init; }

    /// <summary>Longest pause after a planned kill's threshold before the kill (seeded per kill): varies where in a step it lands.</summary>
    public int MaxKillDelayMilliseconds { get; init; } = 20;

    /// <summary>The stuck detector: no journal progress and no result for this long ends the run with a dump.</summary>
    public TimeSpan StallBound { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Upper bound on the whole run, whatever its progress.</summary>
    public TimeSpan RunBound { get; init; } = TimeSpan.FromSeconds(100);

    public int TotalSteps => Workflows * Steps;
}
