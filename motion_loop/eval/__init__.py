"""Evaluation: the text-motion evaluator, metrics (FID, R-precision, matching score, diversity,
multimodality) and physical plausibility.

Library entry points (see motion_loop.eval.evaluation):

    from motion_loop.eval.evaluator import Evaluator
    from motion_loop.eval.evaluation import GeneratedMotion, evaluate_generation
    evaluator = Evaluator.load("evaluator.pt")
    result = evaluate_generation(evaluator, motions, folder, "test", MetricsConfig(), rng,
                                 plausibility=PlausibilityConfig())
    result["fid"].mean, result["fid"].ci95, result.to_dict()
"""
