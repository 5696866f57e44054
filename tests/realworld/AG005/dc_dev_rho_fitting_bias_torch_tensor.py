# source: https://github.com/theAfish/dc-dev/blob/85185d49b98cdb8561dc46fc6b98ba039979a0dd/deepmd/pt/model/task/rho.py
# expect: AG005
# pitfall: `_compute_output_stats` already returns a tensor (`return torch.tensor(bias_atom_e, device=env.DEVICE)`), and compute_output_stats copy-constructs it again with `torch.tensor(bias_atom_e, device=env.DEVICE)`: torch warns to use `.detach().clone()` (the same warning deepmd-kit reports in https://github.com/deepmodeling/deepmd-kit/issues/3476). InvarFitting is replaced by a module holding the bias buffer, deepmd's env and compute_stats_from_redu by small stand-ins; the stat-file branch and docstrings are left out
import numpy as np
import torch


class env:
    DEVICE = torch.device("cpu")


def compute_stats_from_redu(output_redu, natoms, assigned_bias=None, rcond=None):
    bias, *_ = np.linalg.lstsq(natoms, output_redu, rcond=rcond)
    return bias, None


def to_numpy_array(t):
    return t.detach().cpu().numpy()


class InvarFitting(torch.nn.Module):
    def __init__(self, var_name, ntypes, dim_descrpt, dim_out, rcond=None, atom_ener=None):
        super().__init__()
        self.var_name = var_name
        self.ntypes = ntypes
        self.dim_out = dim_out
        self.rcond = rcond
        self.atom_ener = atom_ener
        self.register_buffer("bias_atom_e", torch.zeros(ntypes, dim_out, dtype=torch.float64))


class RhoFittingNet(InvarFitting):
    def __init__(self, ntypes, dim_descrpt, **kwargs):
        super().__init__("rho", ntypes, dim_descrpt, 1, **kwargs)

    def compute_output_stats(
        self,
        merged,
        stat_file_path=None,
    ):
        bias_atom_e = self._compute_output_stats(
            merged, self.ntypes, stat_file_path, self.rcond, self.atom_ener
        )
        self.bias_atom_e.copy_(
            torch.tensor(bias_atom_e, device=env.DEVICE).view(
                [self.ntypes, self.dim_out]
            )
        )
    def _compute_output_stats(
            self,
            merged,
            ntypes: int,
            stat_file_path=None,
            rcond=None,
            atom_ener=None,
    ):
        if callable(merged):
            # only get data for once
            sampled = merged()
        else:
            sampled = merged
        energy = [item["rho"].sum(axis=1) for item in sampled]
        data_mixed_type = "real_natoms_vec" in sampled[0]
        natoms_key = "natoms" if not data_mixed_type else "real_natoms_vec"
        input_natoms = [item[natoms_key] for item in sampled]
        # shape: (nframes, ndim)
        merged_energy = to_numpy_array(torch.cat(energy))
        # shape: (nframes, ntypes)
        merged_natoms = to_numpy_array(torch.cat(input_natoms)[:, 2:])
        if atom_ener is not None and len(atom_ener) > 0:
            assigned_atom_ener = np.array(
                [ee if ee is not None else np.nan for ee in atom_ener]
            )
        else:
            assigned_atom_ener = None
        bias_atom_e, _ = compute_stats_from_redu(
            merged_energy,
            merged_natoms,
            assigned_bias=assigned_atom_ener,
            rcond=rcond,
        )
        assert all(x is not None for x in [bias_atom_e])
        return torch.tensor(bias_atom_e, device=env.DEVICE)


fitting = RhoFittingNet(ntypes=2, dim_descrpt=8)
sampled = [
    {"rho": torch.rand(4, 5, 1, dtype=torch.float64),
     "natoms": torch.cat([torch.full((4, 2), 5), torch.randint(1, 4, (4, 2))], dim=1).double()}
]
fitting.compute_output_stats(sampled)
