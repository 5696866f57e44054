"""The rule catalogue (see RULES.md): one module per rule."""

from autograd_lint.rules.anomaly_mode_left_on import AnomalyModeLeftOn
from autograd_lint.rules.backward_without_grad import BackwardWithoutGrad
from autograd_lint.rules.base import Rule
from autograd_lint.rules.clone_instead_of_detach import CloneInsteadOfDetach
from autograd_lint.rules.data_mutation import DataMutation
from autograd_lint.rules.detach_inplace_view import DetachInplaceView
from autograd_lint.rules.detached_alias_inplace import DetachedAliasInplace
from autograd_lint.rules.leaf_inplace import InplaceOnLeaf
from autograd_lint.rules.legacy_data_write import LegacyDataWrite
from autograd_lint.rules.loss_accumulation import LossAccumulation
from autograd_lint.rules.missing_zero_grad import MissingZeroGrad
from autograd_lint.rules.nonleaf_grad_read import NonleafGradRead
from autograd_lint.rules.nonleaf_requires_grad import NonleafRequiresGrad
from autograd_lint.rules.nonscalar_backward import NonscalarBackward
from autograd_lint.rules.numpy_requires_grad import NumpyRequiresGrad
from autograd_lint.rules.optimizer_param_copy import OptimizerParamCopy
from autograd_lint.rules.repeated_backward import RepeatedBackward

ALL_RULES: tuple[Rule, ...] = (
    DataMutation(),
    DetachedAliasInplace(),
    BackwardWithoutGrad(),
    RepeatedBackward(),
    CloneInsteadOfDetach(),
    LegacyDataWrite(),
    NonleafGradRead(),
    InplaceOnLeaf(),
    NonleafRequiresGrad(),
    NonscalarBackward(),
    NumpyRequiresGrad(),
    DetachInplaceView(),
    AnomalyModeLeftOn(),
    LossAccumulation(),
    MissingZeroGrad(),
    OptimizerParamCopy(),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule"]
