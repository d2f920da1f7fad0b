namespace DurableEval.Evaluation;

/// <summary>Whether a criterion below the bar caps the overall rating.</summary>
public enum FailCloseRule
{
    None,
    Always,

    /// <summary>Applies when the profile's workflow duration is minutes or longer (VR-01).</summary>
    WhenDurationAtLeastMinutes,
}

/// <summary>A documented fact about Temporal, not a measurement: how much user code the feature needs.</summary>
public enum SupportLevel
{
    Native,
    Pattern,
    Custom,
}

/// <summary>The servers a criterion's checks can run on, as criteria.md names them.</summary>
[Flags]
public enum ServerNeeds
{
    None = 0,

    /// <summary>Runs offline with the SDK alone (replayer, ActivityEnvironment, converters).</summary>
    Offline = 1,

    /// <summary>Needs Temporal's time-skipping test server.</summary>
    TimeSkipping = 2,

    /// <summary>Needs a full server (Temporal CLI dev server or an external cluster).</summary>
    Dev = 4,

    /// <summary>Runs on whichever live server is available.</summary>
    Any = 8,
}

public sealed record CriterionDefinition(
    string Id,
    string Name,
    Category Category,
    FailCloseRule FailClose,
    SupportLevel Support,
    ServerNeeds Servers,
    string Description,
    string ToRaise)
{
    public bool IsFailClose(EvaluationProfile profile) => FailClose switch
    {
        FailCloseRule.Always => true,
        FailCloseRule.WhenDurationAtLeastMinutes => profile.Duration >= WorkflowDuration.Minutes,
        _ => false,
    };
}
